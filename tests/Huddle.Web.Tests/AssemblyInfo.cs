using Huddle.Testing;

[assembly: AssemblyFixture(typeof(HuddleAppFixture))]
