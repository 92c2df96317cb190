using Huddle.Contracts.Common;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.Extensions.Primitives;

namespace Huddle.Web.Security;

/// <summary>
/// The Origin allow-list of the live connections (docs/security.md, "Cross-site WebSocket hijacking"):
/// a browser sends its page's origin with every WebSocket upgrade and cross-origin request, and sends
/// the Huddle sign-in cookie with it whoever's page it is, so a connection to the hub or to a Blazor
/// circuit from a page of another origin is refused (403) before it is opened, even with a valid
/// cookie or token. Allowed: the request's own origin (scheme, host and port as the request came in)
/// and each origin of <c>Huddle:Security:AllowedOrigins</c> (an EHR whose page connects, a public
/// origin a reverse proxy rewrites). A request without an Origin header (a native or server client,
/// which carries a bearer token, not a cookie) is allowed; <c>Origin: null</c> (a sandboxed or file page)
/// is not.
/// <para>
/// Hand-written: ASP.NET Core's CORS middleware decides what a browser may read from a response, and
/// does not apply to WebSocket upgrades at all, so it cannot refuse a handshake.
/// </para>
/// </summary>
public static partial class OriginCheck
{
    /// <summary>The setting that lists the other origins allowed to open live connections.</summary>
    public const string AllowedOriginsKey = "Huddle:Security:AllowedOrigins";

    /// <summary>The paths of the live connections: the hub and Blazor's circuits (negotiation and the socket).</summary>
    public static bool IsLivePath(PathString path) => path.StartsWithSegments(HuddleHub.Path) || path.StartsWithSegments("/_blazor");

    /// <summary>Refuses a live connection from an origin not allowed, before authentication or the hub sees it.</summary>
    public static void UseOriginCheck(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var allowed = Normalized(app.Configuration.GetSection(AllowedOriginsKey).Get<string[]>() ?? []);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OriginCheck));
        app.UseWhen(context => IsLivePath(context.Request.Path), branch => branch.Use(async (context, next) =>
        {
            if (Allows(context.Request, allowed))
            {
                await next(context);
                return;
            }

            LogRefused(logger, context.Request.Path, context.Request.Headers.Origin.ToString());
            await ApiErrors.Problem(HuddleError.Forbidden("This origin may not open Huddle's live connections."))
                .ExecuteAsync(context);
        }));
    }

    /// <summary>True when <paramref name="request"/> has no Origin, its own, or one of <paramref name="allowed"/> (normalized).</summary>
    public static bool Allows(HttpRequest request, IReadOnlySet<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(allowed);
        var origin = request.Headers.Origin;
        if (StringValues.IsNullOrEmpty(origin))
        {
            return true;
        }

        if (origin.Count != 1 || Normalize(origin[0]) is not { } from)
        {
            return false;
        }

        return from == Normalize($"{request.Scheme}://{request.Host}") || allowed.Contains(from);
    }

    /// <summary>
    /// The origins of <paramref name="origins"/> as compared (scheme and host lower case, default port
    /// dropped); a malformed one is an error naming the setting <paramref name="key"/> it came from.
    /// </summary>
    public static IReadOnlySet<string> Normalized(IEnumerable<string> origins, string key = AllowedOriginsKey)
    {
        ArgumentNullException.ThrowIfNull(origins);
        return origins.Select(o => Normalize(o) ?? throw new InvalidOperationException(
            $"{key} holds '{o}', which is not an origin (scheme://host[:port], nothing after it).")).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>An origin as compared, or null when <paramref name="origin"/> is not one (e.g. "null", or a URL with a path).</summary>
    private static string? Normalize(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment) && string.IsNullOrEmpty(uri.UserInfo)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a live connection to {Path} from origin {Origin}: not this host's and not in Huddle:Security:AllowedOrigins")]
    private static partial void LogRefused(ILogger logger, string path, string origin);
}
