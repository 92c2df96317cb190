using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Huddle.Web.Security;

/// <summary>
/// A browser cannot set headers on a WebSocket, so hub clients put their bearer token on the URL
/// (<c>/hubs/huddle?access_token=…</c>), and anything that writes the URL would write the token:
/// ASP.NET Core's own "Request starting/finished" lines (written by the host before any middleware
/// runs, so no middleware can hide it), a provider-specific log rule, an exception page. This moves
/// the token into the <c>Authorization</c> header as the request's context is made, before anything
/// sees the request: from then on the URL has no token to log and the bearer handlers read the
/// header as for any API client.
/// </summary>
/// <remarks>
/// Hand-written because ASP.NET Core offers no hook earlier than the host's request log, and
/// filtering that log's category can be undone by a provider-specific log rule; the context factory
/// is the one seam that runs first for every request.
/// </remarks>
internal sealed class HubTokenFromQuery(IServiceProvider services) : IHttpContextFactory
{
    public const string Parameter = "access_token";

    private readonly DefaultHttpContextFactory _inner = new(services);

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        ArgumentNullException.ThrowIfNull(featureCollection);
        if (featureCollection.Get<IHttpRequestFeature>() is { } request)
        {
            MoveToken(request);
        }

        return _inner.Create(featureCollection);
    }

    public void Dispose(HttpContext httpContext) => _inner.Dispose(httpContext);

    /// <summary>Takes <c>access_token</c> off a hub request's query and into its Authorization header (unless it has one).</summary>
    internal static void MoveToken(IHttpRequestFeature request)
    {
        // The hub's clients, and a widget page's Blazor circuit (its session handle, Smart/WidgetAuthentication).
        if (!(request.Path.StartsWith("/hubs/", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWith("/_blazor", StringComparison.OrdinalIgnoreCase))
            || !request.QueryString.Contains(Parameter, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var (rest, token) = WithoutToken(request.QueryString);
        if (token is null)
        {
            return;
        }

        request.QueryString = rest;
        // The raw target (as received, escaped) carries it too.
        var mark = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
        if (mark >= 0)
        {
            request.RawTarget = request.RawTarget[..mark] + WithoutToken(request.RawTarget[mark..]).Remaining;
        }

        if (token.Length > 0 && StringValues.IsNullOrEmpty(request.Headers.Authorization))
        {
            request.Headers.Authorization = "Bearer " + token;
        }
    }

    /// <summary>The query (with its "?", or empty) without <c>access_token</c>, and that token (null when absent).</summary>
    private static (string Remaining, string? Token) WithoutToken(string queryString)
    {
        var query = QueryHelpers.ParseQuery(queryString);
        if (!query.Remove(Parameter, out var token))
        {
            return (queryString, null);
        }

        var rest = QueryString.Create(query.SelectMany(p => p.Value, (p, v) => new KeyValuePair<string, string?>(p.Key, v))).ToUriComponent();
        return (rest, token.ToString());
    }
}
