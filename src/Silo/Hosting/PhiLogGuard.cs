using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huddle.Silo.Hosting;

/// <summary>
/// Keeps patient data out of the log whatever levels an operator sets. Two framework categories print
/// whole messages below Information: Orleans' message center ("Message has been looped back…" with the
/// message body: a patient's profile, a handoff's reason) and SignalR's hub dispatcher ("Received hub
/// invocation…" with the arguments: a chat message's text). They are capped at Information for every
/// logging provider, including one an operator configured on its own (a provider's own rules take
/// precedence over rules for all providers, so one rule for all would not do): the rules are added
/// after configuration is read, with the categories' full names, so no configured rule is more specific.
/// The PHI canary test (PhiCanaryTests) runs every category at Trace and finds no name or text.
/// </summary>
public static class PhiLogGuard
{
    /// <summary>The categories whose detailed lines carry message contents.</summary>
    public static IReadOnlyList<string> Categories { get; } =
    [
        "Orleans.Runtime.Messaging.MessageCenter",
        "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher",
    ];

    public static IServiceCollection AddPhiLogGuard(this IServiceCollection services) =>
        services.PostConfigure<LoggerFilterOptions>(options =>
        {
            var providers = options.Rules.Select(r => r.ProviderName).Append(null).Distinct().ToList();
            foreach (var provider in providers)
            {
                foreach (var category in Categories)
                {
                    options.Rules.Add(new LoggerFilterRule(provider, category, LogLevel.Information, null));
                }
            }
        });
}
