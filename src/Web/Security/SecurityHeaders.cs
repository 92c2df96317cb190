using System.Buffers.Text;
using System.Security.Cryptography;

namespace Huddle.Web.Security;

/// <summary>
/// The response headers a hospital's security review checks for (docs/security.md, "Security
/// headers"), on every response:
/// <list type="bullet">
/// <item>a Content Security Policy that lets the page run only Huddle's own scripts (and the one inline
/// import map Blazor renders, by a per-request nonce), connect only to Huddle, post forms only to
/// Huddle, and be framed only by the origins of <c>Huddle:Security:FrameAncestors</c> (none by default,
/// then also <c>X-Frame-Options: DENY</c> for old browsers);</item>
/// <item><c>X-Content-Type-Options: nosniff</c>; <c>Referrer-Policy: no-referrer</c> (Huddle's URLs
/// carry patient and thread ids); a <c>Permissions-Policy</c> turning off camera, microphone,
/// geolocation and payment; <c>Cross-Origin-Opener-Policy: same-origin</c> (except on the two pages of a
/// SMART sign-in window, which must keep their opener: <see cref="KeepOpener"/>);</item>
/// <item><c>Cache-Control: no-store</c> on pages and <c>/api</c> answers that set no caching of their
/// own (patient data must not stay in a shared workstation's cache); fingerprinted static files keep
/// theirs.</item>
/// </list>
/// Styles may be inline (<c>'unsafe-inline'</c> for <c>style-src</c> only): MudBlazor and Blazor set
/// style attributes, and a style cannot run code.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The setting listing the origins (an EHR portal) allowed to frame Huddle's pages.</summary>
    public const string FrameAncestorsKey = "Huddle:Security:FrameAncestors";

    private static readonly object NonceKey = new();

    private static readonly object FramingKey = new();

    private static readonly object OpenerKey = new();

    /// <summary>
    /// This response may be framed by <paramref name="origins"/> (and no other): a SMART launch's pages,
    /// framed by the launching EHR tenant's portal (Smart/SmartEndpoints).
    /// </summary>
    public static void AllowFraming(HttpContext context, IReadOnlySet<string> origins)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[FramingKey] = origins;
    }

    /// <summary>
    /// This response keeps its window's opener (no <c>Cross-Origin-Opener-Policy</c>, so the browser's
    /// default <c>unsafe-none</c>): the SMART sign-in window's launch and callback pages, whose last page
    /// hands the widget's address to the chart's frame that opened the window, with <c>postMessage</c> to
    /// Huddle's origin only. With <c>same-origin</c> the browser would cut the window from that frame (its
    /// top-level page is the EHR's, another origin), and nothing could be handed over.
    /// </summary>
    public static void KeepOpener(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[OpenerKey] = true;
    }

    /// <summary>This request's script nonce, for the one inline script Huddle renders (Blazor's import map).</summary>
    public static string Nonce(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items[NonceKey] is not string nonce)
        {
            // Base64url (CSP allows "-" and "_"): plain base64's "+" is written "&#x2B;" in the page's
            // attribute, which a browser decodes but a byte-for-byte reader (a test, a proxy) does not.
            nonce = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));
            context.Items[NonceKey] = nonce;
        }

        return nonce;
    }

    /// <summary>
    /// The policy for a response whose script nonce is <paramref name="nonce"/>. <paramref name="formTargets"/>
    /// are the origins besides Huddle's own a form post may end at: the organisation's sign-in provider,
    /// where signing out redirects (browsers apply <c>form-action</c> to a form's redirects too).
    /// </summary>
    public static string Policy(string nonce, IReadOnlySet<string> frameAncestors, IReadOnlySet<string>? formTargets = null)
    {
        ArgumentNullException.ThrowIfNull(frameAncestors);
        var ancestors = frameAncestors.Count == 0 ? "'none'" : string.Join(' ', frameAncestors.Order(StringComparer.Ordinal));
        var forms = string.Join(' ', new[] { "'self'" }.Concat((formTargets ?? new HashSet<string>()).Order(StringComparer.Ordinal)));
        return $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + $"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action {forms}; frame-ancestors {ancestors}";
    }

    /// <summary>The tenant a widget page's address names (<c>/w/{tenant id}</c>), or null for any other request.</summary>
    private static Smart.SmartTenant? WidgetTenant(HttpContext context, Smart.SmartSettings? smart) =>
        smart is not null && context.Request.Path.StartsWithSegments(Smart.SmartEndpoints.WidgetPath, out var rest) && rest.Value is { Length: > 1 } id
            ? smart.TenantById(id[1..])
            : null;

    /// <summary>Adds the headers to every response, before anything else can write one.</summary>
    public static void UseSecurityHeaders(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var frameAncestors = OriginCheck.Normalized(app.Configuration.GetSection(FrameAncestorsKey).Get<string[]>() ?? [], FrameAncestorsKey);
        var formTargets = app.Services.GetService<Auth.OidcSettings>() is { } oidc
            ? new HashSet<string>([oidc.Authority.GetLeftPart(UriPartial.Authority)], StringComparer.Ordinal)
            : [];
        var smart = app.Services.GetService<Smart.SmartSettings>();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                // The widget's page (/w/{tenant}) may be framed by its tenant's portals only; a launch's
                // pages by the launching tenant's (set by the endpoint); every other page as configured.
                var ancestors = context.Items[FramingKey] as IReadOnlySet<string> ?? WidgetTenant(context, smart)?.FrameOrigins ?? frameAncestors;
                headers.ContentSecurityPolicy = Policy(Nonce(context), ancestors, formTargets);
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()";
                if (!context.Items.ContainsKey(OpenerKey))
                {
                    headers["Cross-Origin-Opener-Policy"] = "same-origin";
                }
                if (ancestors.Count == 0)
                {
                    headers.XFrameOptions = "DENY";
                }

                var page = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
                if ((page || context.Request.Path.StartsWithSegments("/api")) && !headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
