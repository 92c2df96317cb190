using Huddle.Contracts.Common;
using Huddle.Silo.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Huddle.Web.Operations;

/// <summary>
/// OpenTelemetry traces and metrics, off by default (<c>Huddle:Telemetry:Enabled</c>, or an OTLP
/// endpoint set). Traces: HTTP requests, SignalR hub calls, Orleans grain calls, Huddle's own
/// spans. Metrics: the same, plus Huddle's counters (board changes, relay fan-out, storage
/// latency). Exported over OTLP to <c>Huddle:Telemetry:OtlpEndpoint</c> when set. Spans carry ids
/// and operation names only: query strings are not recorded and request bodies never are.
/// </summary>
public static class HuddleTelemetrySetup
{
    /// <summary>True when configuration asks for telemetry.</summary>
    public static bool IsEnabled(IConfiguration config) =>
        config.GetValue(HuddleConfig.TelemetryEnabled, false) || !string.IsNullOrEmpty(config[HuddleConfig.OtlpEndpoint]);

    /// <summary>Registers OpenTelemetry when enabled; does nothing otherwise.</summary>
    public static void AddHuddleTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsEnabled(builder.Configuration))
        {
            return;
        }

        var otlp = builder.Configuration[HuddleConfig.OtlpEndpoint];
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("huddle", serviceInstanceId: Environment.MachineName))
            .WithTracing(t =>
            {
                t.AddSource(HuddleTelemetry.Name, "Microsoft.AspNetCore.SignalR.Server", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                    .AddAspNetCoreInstrumentation(o => o.Filter = ctx => !ctx.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal));
                if (!string.IsNullOrEmpty(otlp))
                {
                    t.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            })
            .WithMetrics(m =>
            {
                m.AddMeter(HuddleTelemetry.Name, "Microsoft.Orleans", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.SignalR.Server")
                    .AddAspNetCoreInstrumentation();
                if (!string.IsNullOrEmpty(otlp))
                {
                    m.AddOtlpExporter(o => o.Endpoint = new Uri(otlp));
                }
            });
    }
}
