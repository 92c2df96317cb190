using Huddle.Bench.Baseline;

// The bare SignalR baseline the load bench compares Huddle against: the same transport, protocol and
// group fan-out, and nothing else (no auth, no grains, no storage).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024);
var app = builder.Build();
app.MapGet("/", () => "baseline");
app.MapHub<BaselineHub>(BaselineHub.Path);
await app.RunAsync();
