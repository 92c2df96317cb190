using Huddle.Ui.Tests;

[assembly: AssemblyFixture(typeof(BrowserFixture))]

[assembly: FinishedTestContexts]
