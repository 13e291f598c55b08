using Tessera.Cli;

return await CliApp.RunAsync(args, Console.Error);
