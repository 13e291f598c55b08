namespace Tessera.Browser.Tests;

/// <summary>Every browser test shares one server and one Chromium, and runs one at a time: two cores do not drive two browsers well.</summary>
[CollectionDefinition(Browser.Collection)]
public sealed class OneBrowser : ICollectionFixture<Browser>;
