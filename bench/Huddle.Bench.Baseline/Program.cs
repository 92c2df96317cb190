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
// The durable floor's own write times since the last call (ms), for the bench's report.
app.MapPost("/floor/write-times", (FloorTable floor) => floor.TakeWriteTimes());
app.MapHub<BaselineHub>(BaselineHub.Path);
await app.RunAsync();
