using Huddle.Contracts.Common;
using System.Security.Claims;
using Huddle.Contracts.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Huddle.Web.Auth;

/// <summary>
/// Organisation sign-in (<see cref="OidcSettings"/>): ASP.NET Core's OpenID Connect handler for
/// browsers (authorization code with PKCE, the answer in the query so the cookies stay SameSite=Lax)
/// and its JWT bearer handler for the provider's access tokens. Either way the provider says who
/// the person is, and Huddle's own user record says what they are: an identity with no Huddle user
/// (no team ever listed them) is refused, and the signed-in identity carries Huddle's claims
/// (<see cref="HuddleClaims"/>), exactly as a development sign-in's does, so nothing downstream
/// knows how the person signed in.
/// </summary>
public static partial class OidcSignIn
{
    /// <summary>Starts the browser's sign-in at the provider; <c>returnUrl</c> is where to land after.</summary>
    public const string StartPath = "/signin/oidc";

    /// <summary>What <c>/signin?failed=</c> says went wrong (never the account's id or name).</summary>
    public const string UnknownUser = "unknown-user";

    public const string ProviderFailed = "provider";

    /// <summary>A token of a session the provider has signed out (back-channel logout).</summary>
    public const string SignedOutAtProvider = "signed-out-at-provider";

    /// <summary>Where the provider posts its logout tokens (OpenID Connect Back-Channel Logout 1.0).</summary>
    public const string BackChannelPath = "/signout-oidc-backchannel";

    public static AuthenticationBuilder AddHuddleOidc(this AuthenticationBuilder auth, OidcSettings settings, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        auth.AddOpenIdConnect(OidcSettings.BrowserScheme, settings.ProviderName, o =>
        {
            o.Authority = settings.Authority.ToString();
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            // The code comes back on a top-level GET, which SameSite=Lax cookies ride; a form post from
            // the provider's site would need SameSite=None cookies for the nonce and correlation.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            if (environment.IsDevelopment())
            {
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }

            o.Scope.Clear();
            foreach (var scope in settings.Scopes)
            {
                o.Scope.Add(scope);
            }

            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = false;
            // Only the id token is kept (for the provider's sign-out); access and refresh tokens are
            // not the browser session's business.
            o.SaveTokens = false;
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.CallbackPath = OidcSettings.CallbackPath;
            o.SignedOutCallbackPath = OidcSettings.SignedOutCallbackPath;
            o.SignedOutRedirectUri = "/signin?signedout=1";
            o.Events.OnTokenValidated = async ctx =>
            {
                var (principal, user) = await HuddleUserOf(ctx.Principal!, ctx.HttpContext, settings, CookieAuthenticationDefaults.AuthenticationScheme, DateTimeOffset.UtcNow);
                if (principal is null)
                {
                    ctx.Fail(UnknownUser);
                    return;
                }

                ctx.Principal = principal;
                var properties = ctx.Properties!;
                properties.StoreTokens([new AuthenticationToken { Name = "id_token", Value = ctx.TokenEndpointResponse?.IdToken ?? ctx.ProtocolMessage.IdToken ?? "" }]);
                properties.IsPersistent = true;
                if (properties.RedirectUri is null or "/")
                {
                    // "/" names no page: a room display goes on to its wall, as after the dev sign-in.
                    properties.RedirectUri = DevSignIn.Landing(user!);
                }
            };
            o.Events.OnRemoteFailure = ctx =>
            {
                var reason = ctx.Failure?.Message == UnknownUser ? UnknownUser : ProviderFailed;
                LogFailed(ctx.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OidcSignIn)), reason,
                    ctx.Failure?.GetType().Name ?? "none");
                ctx.Response.Redirect($"/signin?failed={reason}");
                ctx.HandleResponse();
                return Task.CompletedTask;
            };
        });
        auth.AddJwtBearer(OidcSettings.BearerScheme, o =>
        {
            o.Authority = settings.Authority.ToString();
            o.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            o.Audience = settings.Audience;
            o.MapInboundClaims = false;
            o.TokenValidationParameters.NameClaimType = HuddleClaims.Name;
            // A hub token sent on the URL is in the Authorization header by now (Security/HubTokenFromQuery).
            o.Events = new JwtBearerEvents
            {
                OnTokenValidated = async ctx =>
                {
                    var issued = ctx.SecurityToken.ValidFrom == DateTime.MinValue ? (DateTimeOffset?)null : new DateTimeOffset(ctx.SecurityToken.ValidFrom, TimeSpan.Zero);
                    if (ctx.SecurityToken is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken { IssuedAt: var iat } && iat != DateTime.MinValue)
                    {
                        issued = new DateTimeOffset(iat, TimeSpan.Zero);
                    }

                    var (principal, _) = await HuddleUserOf(ctx.Principal!, ctx.HttpContext, settings, OidcSettings.BearerScheme, issued);
                    if (principal is null)
                    {
                        ctx.Fail(UnknownUser);
                        return;
                    }

                    if (await EndedAsync(principal, ctx.HttpContext.RequestServices.GetRequiredService<IGrainFactory>()))
                    {
                        ctx.Fail(SignedOutAtProvider);
                        return;
                    }

                    ctx.Principal = principal;
                },
            };
        });
        return auth;
    }

    /// <summary>
    /// <c>GET /signin/oidc?returnUrl=</c>: off to the provider, back at <c>returnUrl</c> (a local path
    /// only) once signed in. <c>POST /signout</c> also signs out at the provider when it offers that.
    /// </summary>
    public static void MapOidcSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet(StartPath, (string? returnUrl) =>
            Results.Challenge(new AuthenticationProperties { RedirectUri = DevSignIn.LocalPathOrNull(returnUrl) ?? "/" }, [OidcSettings.BrowserScheme]))
            .AllowAnonymous();
        app.MapPost(BackChannelPath, BackChannelLogout.HandleAsync).AllowAnonymous().DisableAntiforgery();
    }

    /// <summary>
    /// The schemes <c>POST /signout</c> signs out of: the cookie, and the provider too when this
    /// session came from it and the provider has an end-session endpoint (RP-initiated logout), so a
    /// shared workstation's next user is asked for their own password.
    /// </summary>
    public static async Task<string[]> SignOutSchemesAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        string[] cookie = [CookieAuthenticationDefaults.AuthenticationScheme];
        if (context.RequestServices.GetService<OidcSettings>() is null || context.User.FindFirst(HuddleClaims.Provider)?.Value != OidcSettings.BrowserScheme)
        {
            return cookie;
        }

        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OidcSettings.BrowserScheme);
        try
        {
            var configuration = await options.ConfigurationManager!.GetConfigurationAsync(context.RequestAborted);
            return string.IsNullOrEmpty(configuration.EndSessionEndpoint) ? cookie : [.. cookie, OidcSettings.BrowserScheme];
        }
        catch (InvalidOperationException)
        {
            // The provider is unreachable: end Huddle's session anyway.
            return cookie;
        }
        catch (HttpRequestException)
        {
            return cookie;
        }
    }

    /// <summary>
    /// The Huddle identity of a person the provider vouched for: their user id from the configured
    /// claim, their Huddle user record, Huddle's claims. Null when the claim is missing or malformed
    /// or no such Huddle user exists.
    /// </summary>
    private static async Task<(ClaimsPrincipal? Principal, UserProfile? User)> HuddleUserOf(ClaimsPrincipal external, HttpContext context, OidcSettings settings, string scheme, DateTimeOffset? signedInAt)
    {
        var userId = external.FindFirst(settings.UserIdClaim)?.Value;
        if (userId is null || !Contracts.Common.Ids.IsValid(userId)
            || await context.RequestServices.GetRequiredService<IGrainFactory>().Grain<IUserGrain>(userId).GetAsync() is not { } user)
        {
            return (null, null);
        }

        List<Claim> more = [new Claim(HuddleClaims.Provider, OidcSettings.BrowserScheme), .. external.FindAll(HuddleClaims.SessionId).Take(1)];
        if (external.FindFirst("sub")?.Value is { } subject)
        {
            more.Add(new Claim(HuddleClaims.Subject, subject));
        }

        if (signedInAt is { } at)
        {
            more.Add(new Claim(HuddleClaims.SignedInAtClaim, at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return (HuddleClaims.Create(user.UserId, user.DisplayName, user.Kind.ToString(), scheme, more), user);
    }

    /// <summary>True when the provider has signed out the session <paramref name="user"/> belongs to (back-channel logout).</summary>
    public static async Task<bool> EndedAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(grains);
        return user.FindFirst(HuddleClaims.Subject)?.Value is { } subject
            && (await grains.Grain<ISessionEndGrain>(subject).GetAsync()).Ends(user.FindFirst(HuddleClaims.SessionId)?.Value, HuddleClaims.SignedInAt(user));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Organisation sign-in failed: {Reason} ({Failure})")]
    private static partial void LogFailed(ILogger logger, string reason, string failure);
}
