using Huddle.Ui.Tests;

[assembly: AssemblyFixture(typeof(BrowserFixture))]
