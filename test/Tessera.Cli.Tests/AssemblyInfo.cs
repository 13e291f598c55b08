// The tests check POSIX permissions (the session file is the owner's alone) and run on Linux, as CI does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
