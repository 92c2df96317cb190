using Huddle.Storage.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(AzuriteFixture))]
