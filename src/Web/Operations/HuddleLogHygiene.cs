using Microsoft.AspNetCore.Routing;

namespace Huddle.Web.Operations;

/// <summary>
/// Keeps client input out of the application log. A malformed JSON body used to reach the log
/// through the parser's exception message (which quotes the input: a patient's name in a body
/// put that name in the log); here it is answered 400 without throwing, and the framework's
/// per-request binding diagnostics, whose messages carry that exception, are not logged.
/// </summary>
public static class HuddleLogHygiene
{
    /// <summary>The category under which ASP.NET Core logs why a request body could not be bound.</summary>
    public const string BindingCategory = "Microsoft.AspNetCore.Http.RequestDelegateFactory";

    public static void AddHuddleLogHygiene(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // In Development the framework throws on a bad body, and the developer exception page logs
        // the exception (and its JSON parser message) as an error; answer 400 instead, everywhere.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        builder.Logging.AddFilter(BindingCategory, LogLevel.None);
        // SignalR's dispatcher logs hub arguments (chat text) below Information; also on a web host with no silo of its own.
        Huddle.Silo.Hosting.PhiLogGuard.AddPhiLogGuard(builder.Services);
    }
}
