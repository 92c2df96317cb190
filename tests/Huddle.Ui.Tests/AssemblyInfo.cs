using Huddle.Ui.Tests;

[assembly: AssemblyFixture(typeof(BrowserFixture))]

[assembly: FinishedTestContexts]

[assembly: TestCollectionOrderer(typeof(ClockWaitersFirst))]
