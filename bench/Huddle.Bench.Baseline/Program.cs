using Huddle.Bench.Baseline;

// The bare SignalR baseline the load bench compares Huddle against: the same transport, protocol and
// group fan-out, and nothing else (no auth, no grains). With ConnectionStrings:BaselineStorage set it
// also serves the durable floor: one Azure Table write of the payload, then the same send.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSignalR(o => o.MaximumReceiveMessageSize = 64 * 1024);
builder.Services.AddSingleton(_ => FloorTable.FromConnectionString(builder.Configuration.GetConnectionString(FloorTable.ConnectionName)));
var app = builder.Build();
await app.Services.GetRequiredService<FloorTable>().CreateAsync(app.Lifetime.ApplicationStopping);
app.MapGet("/", () => "baseline");
app.MapHub<BaselineHub>(BaselineHub.Path);
await app.RunAsync();
