using Huddle.Web;

var app = HuddleApp.Build(args);
await app.RunAsync();

/// <summary>Entry point; the app is assembled in <see cref="HuddleApp"/> so tests start the same thing.</summary>
public partial class Program;
