using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;
using R4 = Hl7.Fhir.Model;

namespace Huddle.Testing;

/// <summary>How a <see cref="TestEhr"/> behaves.</summary>
public sealed class TestEhrOptions
{
    /// <summary>
    /// Whether the EHR's sign-in page and authorize endpoint may be shown in a frame. False: <c>/login</c>
    /// and <c>/connect/authorize</c> answer with <c>X-Frame-Options: DENY</c> and
    /// <c>Content-Security-Policy: frame-ancestors 'none'</c>, as many real EHRs do.
    /// </summary>
    public bool FrameableLogin { get; init; } = true;

    /// <summary>How long its id tokens last.</summary>
    public TimeSpan IdTokenLifetime { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How long its access tokens last.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Huddle's launch URL (e.g. <c>https://127.0.0.1:5001/smart/launch</c>), the chart page's iframe; also settable later on <see cref="TestEhr.HuddleLaunchUrl"/>.</summary>
    public Uri? HuddleLaunchUrl { get; init; }

    /// <summary>The HTTPS port to listen on; 0 takes a free one.</summary>
    public int Port { get; init; }
}

/// <summary>
/// A fake EHR for tests and demos: a SMART App Launch 2.x authorization server (OpenIddict's server in
/// degraded mode, as <see cref="TestOidcProvider"/>: no store, the one client and the users held here)
/// and a minimal FHIR R4 server, on HTTPS at <c>https://localhost:{port}/</c> in the test process, with
/// a certificate made at start (pin <see cref="CertificateSha256"/>). It does the EHR launch: a chart page
/// (<c>/ehr</c>) frames Huddle's launch URL with <c>iss</c> and an opaque <c>launch</c>; Huddle's
/// authorization code flow (PKCE S256 required, <c>aud</c> = <see cref="Iss"/>) gets back the launch
/// context beside the tokens (<c>patient</c>, <c>encounter</c>, <c>need_patient_banner</c>,
/// <c>smart_style_url</c>) and reads <c>Patient</c> and <c>Practitioner</c> with the access token.
/// </summary>
public sealed partial class TestEhr : IAsyncDisposable
{
    /// <summary>The one client it knows: Huddle's widget.</summary>
    public const string ClientId = "huddle-widget";

    /// <summary>The Practitioner.identifier system whose value is the Huddle user id.</summary>
    public const string UserIdentifierSystem = "urn:huddle:user";

    /// <summary>The Patient.identifier system whose value is the Huddle patient id.</summary>
    public const string PatientIdentifierSystem = "urn:huddle:patient";

    private const string MrnSystem = "urn:test-ehr:mrn";
    private const string LoginScheme = "ehr";
    private const string FhirContentType = "application/fhir+json";
    private const string FhirUserClaim = "fhirUser";
    private const string PatientClaim = "patient";
    private const string EncounterClaim = "encounter";
    private const string BannerClaim = "need_patient_banner";
    private const string LaunchScope = "launch";
    private static readonly TimeSpan LaunchLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The scopes it lists; any other SMART clinical scope (<c>patient|user|system/Type.perms</c>) is accepted too.</summary>
    private static readonly string[] SupportedScopes =
    [
        Scopes.OpenId, FhirUserClaim, Scopes.Profile, LaunchScope, "launch/patient", Scopes.OfflineAccess,
        "patient/Patient.rs", "patient/*.rs", "user/Practitioner.rs", "user/*.rs",
    ];

    private static readonly string[] Capabilities =
    [
        "launch-ehr", "client-confidential-symmetric", "sso-openid-connect", "context-banner", "context-style",
        "context-ehr-patient", "context-ehr-encounter", "permission-v2", "permission-patient", "permission-user",
    ];

    private readonly TestEhrOptions _options;
    private readonly ConcurrentDictionary<string, PractitionerRecord> _practitioners = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PatientRecord> _patients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LaunchContext> _launches = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _redirectUris = new(StringComparer.Ordinal);
    private int _nextMrn = 100_200;
    private WebApplication? _app;

    private TestEhr(TestEhrOptions options)
    {
        _options = options;
        HuddleLaunchUrl = options.HuddleLaunchUrl;
        Certificate = TestCertificates.Create("localhost", "127.0.0.1");
        CertificateSha256 = TestCertificates.Sha256(Certificate);
    }

    /// <summary>The client secret Huddle's widget is registered with (random hex).</summary>
    public string ClientSecret { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The EHR's TLS certificate, made at start for <c>localhost</c> and <c>127.0.0.1</c>.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate's SHA-256 thumbprint (<see cref="TestCertificates.Sha256"/>), for pinning.</summary>
    public string CertificateSha256 { get; }

    /// <summary><c>https://localhost:{port}/</c>: host name localhost, so it is another site than Huddle on 127.0.0.1.</summary>
    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The OpenID issuer: <see cref="BaseAddress"/>.</summary>
    public Uri Issuer { get; private set; } = default!;

    /// <summary>The FHIR base URL, <c>{BaseAddress}fhir</c> without a trailing slash: SMART's <c>iss</c> and the <c>aud</c> Huddle must ask for.</summary>
    public Uri Iss { get; private set; } = default!;

    /// <summary>Huddle's launch URL, framed by the chart page (<c>/ehr</c>) and used by <see cref="LaunchUrl"/>.</summary>
    public Uri? HuddleLaunchUrl { get; set; }

    /// <summary>One entry (the client id) per successful token exchange, for tests that count them.</summary>
    public ConcurrentQueue<string> TokenRequests { get; } = new();

    /// <summary>
    /// Spoils the token endpoint's successful answer just before it is sent (after <see cref="TamperIdToken"/>):
    /// receives the response parameters (<c>access_token</c>, <c>id_token</c>, <c>scope</c>, <c>patient</c>,
    /// <c>need_patient_banner</c> …; strings, booleans as <see cref="bool"/>, numbers as <see cref="long"/>);
    /// remove or change entries. null: none.
    /// </summary>
    public Action<IDictionary<string, object?>>? TamperTokenResponse { get; set; }

    /// <summary>
    /// Spoils the id token's claims (e.g. <c>nonce</c>, <c>aud</c>, <c>iss</c>, <c>fhirUser</c>, <c>exp</c>):
    /// the token OpenIddict issued is read, the hook changes its claims, and it is signed again with the
    /// server's key (same <c>kid</c>), so only the claims are wrong. null: none.
    /// </summary>
    public Action<IDictionary<string, object>>? TamperIdToken { get; set; }

    /// <summary>
    /// Huddle's public keys as this EHR registered them (read at each token request, as from the JWKS URL a
    /// client registers): a client assertion (<c>private_key_jwt</c>) is checked against them. null: the
    /// client has no keys here, and only its secret is accepted.
    /// </summary>
    public Func<Task<string>>? ClientJwks { get; set; }

    /// <summary>How each token request that authenticated did it, in order (<c>private_key_jwt</c> or <c>client_secret</c>).</summary>
    public ConcurrentQueue<string> ClientAuthentications { get; } = new();

    private readonly ConcurrentDictionary<string, byte> _assertionIds = new(StringComparer.Ordinal);

    private string IssText => Iss.AbsoluteUri;

    /// <summary>Starts a fake EHR on HTTPS (a free port unless <see cref="TestEhrOptions.Port"/> says).</summary>
    public static async Task<TestEhr> StartAsync(TestEhrOptions? options = null)
    {
        var ehr = new TestEhr(options ?? new TestEhrOptions());
        try
        {
            await ehr.StartCoreAsync();
        }
        catch
        {
            await ehr.DisposeAsync();
            throw;
        }

        return ehr;
    }

    /// <summary>Registers a redirect URI of the client (e.g. <c>https://127.0.0.1:5001/smart/callback</c>); authorize refuses any other.</summary>
    public void RegisterRedirectUri(Uri redirectUri)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        _redirectUris[redirectUri.AbsoluteUri] = 0;
    }

    /// <summary>
    /// A clinician with an EHR login (user name <paramref name="practitionerId"/>; the password is
    /// returned) whose Practitioner resource (id <paramref name="practitionerId"/>) carries the identifier
    /// {<see cref="UserIdentifierSystem"/>, <paramref name="huddleUserId"/>}.
    /// </summary>
    public string AddPractitioner(string practitionerId, string displayName, string huddleUserId)
    {
        ArgumentException.ThrowIfNullOrEmpty(practitionerId);
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        ArgumentException.ThrowIfNullOrEmpty(huddleUserId);
        var password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        _practitioners[practitionerId] = new PractitionerRecord(practitionerId, displayName, huddleUserId, password);
        return password;
    }

    /// <summary>
    /// A Patient resource (id <paramref name="fhirPatientId"/>) with name, birth date, an MRN and the
    /// identifier {<see cref="PatientIdentifierSystem"/>, <paramref name="huddlePatientId"/>}; a null
    /// <paramref name="huddlePatientId"/> leaves that identifier out (a patient Huddle cannot map).
    /// </summary>
    public void AddPatient(string fhirPatientId, string displayName, DateOnly birthDate, string? huddlePatientId)
    {
        ArgumentException.ThrowIfNullOrEmpty(fhirPatientId);
        ArgumentException.ThrowIfNullOrEmpty(displayName);
        var mrn = _patients.TryGetValue(fhirPatientId, out var existing)
            ? existing.Mrn
            : "E" + Interlocked.Increment(ref _nextMrn).ToString(CultureInfo.InvariantCulture);
        _patients[fhirPatientId] = new PatientRecord(fhirPatientId, displayName, birthDate, huddlePatientId, mrn);
    }

    /// <summary>
    /// A launch context for the patient, as the EHR makes one when it opens the app in a chart: a random
    /// opaque id, valid for 10 minutes (usable more than once within them). Returns the <c>launch</c> value.
    /// </summary>
    public string CreateLaunch(string fhirPatientId, bool needPatientBanner = true, string? encounter = null)
    {
        if (!_patients.ContainsKey(fhirPatientId))
        {
            throw new ArgumentException($"No patient {fhirPatientId} at the test EHR.", nameof(fhirPatientId));
        }

        var launch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _launches[launch] = new LaunchContext(fhirPatientId, encounter, needPatientBanner, DateTimeOffset.UtcNow + LaunchLifetime);
        return launch;
    }

    /// <summary>
    /// The URL the EHR frames: <c>{HuddleLaunchUrl}?iss={Iss}&amp;launch={launch}</c> (URL-encoded), with a
    /// new launch (<see cref="CreateLaunch"/>). Throws when <see cref="HuddleLaunchUrl"/> is not set.
    /// </summary>
    public Uri LaunchUrl(string fhirPatientId, bool needPatientBanner = true)
    {
        var launchUrl = HuddleLaunchUrl ?? throw new InvalidOperationException("The test EHR has no HuddleLaunchUrl.");
        var launch = CreateLaunch(fhirPatientId, needPatientBanner);
        var query = $"iss={Uri.EscapeDataString(IssText)}&launch={Uri.EscapeDataString(launch)}";
        var url = launchUrl.AbsoluteUri;
        var fragment = url.IndexOf('#', StringComparison.Ordinal);
        if (fragment >= 0)
        {
            url = url[..fragment];
        }

        return new Uri(url + (string.IsNullOrEmpty(launchUrl.Query) ? "?" : "&") + query);
    }

    /// <summary>
    /// Signs <paramref name="practitionerId"/> in at the EHR on <paramref name="client"/> (whose handler
    /// must keep cookies) by posting the sign-in form, so an HTTP-level test can then reach
    /// <c>/connect/authorize</c> as that EHR user. Works whether or not the client follows redirects.
    /// </summary>
    public async Task SignInAsync(HttpClient client, string practitionerId)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!_practitioners.TryGetValue(practitionerId, out var practitioner))
        {
            throw new ArgumentException($"No practitioner {practitionerId} at the test EHR.", nameof(practitionerId));
        }

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = practitionerId,
            ["password"] = practitioner.Password,
            ["returnUrl"] = "/",
        });
        using var response = await client.PostAsync(new Uri(BaseAddress, "login"), form);
        var landed = response.StatusCode is System.Net.HttpStatusCode.Redirect or System.Net.HttpStatusCode.Found
            ? response.Headers.Location?.OriginalString
            : response.RequestMessage?.RequestUri?.AbsolutePath;
        if (landed != "/")
        {
            throw new InvalidOperationException($"The test EHR's sign-in of {practitionerId} did not complete: {(int)response.StatusCode} at {landed}.");
        }
    }

    /// <summary>Stops the EHR.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }

        Certificate.Dispose();
    }

    private async Task StartCoreAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = _options.Port != 0 ? _options.Port : FreePort.Next();
            BaseAddress = new Uri($"https://localhost:{port.ToString(CultureInfo.InvariantCulture)}/");
            Issuer = BaseAddress;
            Iss = new Uri(BaseAddress, "fhir");
            var app = Build(port);
            try
            {
                await app.StartAsync();
                _app = app;
                return;
            }
            catch (IOException) when (_options.Port == 0 && attempt < 5)
            {
                // The free port was taken in between: another one.
                await app.DisposeAsync();
            }
        }
    }

    private WebApplication Build(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development", ApplicationName = typeof(TestEhr).Assembly.GetName().Name });
        // The test directory holds Huddle's appsettings.json (its Kestrel endpoints): the EHR reads none of it.
        builder.Configuration.Sources.Clear();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenLocalhost(port, listen => listen.UseHttps(Certificate)));
        builder.Services.AddRouting();
        builder.Services.AddAuthentication(LoginScheme).AddCookie(LoginScheme, o =>
        {
            o.Cookie.Name = "ehr.session";
            // Framed in the EHR's own chart page the sign-in is same-site anyway; None lets it work in any frame.
            o.Cookie.SameSite = SameSiteMode.None;
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.HttpOnly = true;
            o.LoginPath = "/login";
            o.ReturnUrlParameter = "returnUrl";
        });
        builder.Services.AddAuthorization();
        builder.Services.AddOpenIddict()
            .AddServer(o =>
            {
                o.SetIssuer(Issuer);
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(SupportedScopes);
                // SMART's clinical scopes are open-ended: they are checked below instead.
                o.DisableScopeValidation();
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                // The FHIR endpoints (and Huddle, if it wants) read access tokens as signed JWTs.
                o.DisableAccessTokenEncryption();
                o.SetAccessTokenLifetime(_options.AccessTokenLifetime);
                o.SetIdentityTokenLifetime(_options.IdTokenLifetime);
                o.EnableDegradedMode();
                o.Configure(options =>
                {
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                    options.ClientAuthenticationMethods.Clear();
                    options.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.ClientSecretBasic);
                    options.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.ClientSecretPost);
                    options.ClientAuthenticationMethods.Add(ClientAuthenticationMethods.PrivateKeyJwt);
                });
                o.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough();
                // No store in degraded mode: the client, its addresses, the audience and the scopes are checked here.
                o.AddEventHandler<ValidateAuthorizationRequestContext>(b => b.UseInlineHandler(ctx =>
                {
                    if (ctx.ClientId != ClientId)
                    {
                        ctx.Reject(Errors.InvalidClient, "Unknown client_id.");
                    }
                    else if (ctx.RedirectUri is null || !_redirectUris.ContainsKey(ctx.RedirectUri))
                    {
                        ctx.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
                    }
                    else if ((string?)ctx.Request["aud"] != IssText)
                    {
                        // SMART App Launch: the EHR must refuse an aud that is not its FHIR base URL.
                        ctx.Reject(Errors.InvalidRequest, $"The aud parameter must be this EHR's FHIR base URL, {IssText}.");
                    }
                    else if (ctx.Request.GetScopes().FirstOrDefault(s => !SupportedScopes.Contains(s) && !ClinicalScope().IsMatch(s)) is { } unknown)
                    {
                        ctx.Reject(Errors.InvalidScope, $"Unknown scope {unknown}.");
                    }

                    return default;
                }));
                // Degraded mode has no application store to hold the client's keys, so OpenIddict's own check of a
                // client assertion cannot find them: it is turned off here and the assertion checked below instead.
                o.AddEventHandler<ProcessAuthenticationContext>(b => b.UseInlineHandler(ctx =>
                {
                    if (ctx.EndpointType == OpenIddict.Server.OpenIddictServerEndpointType.Token)
                    {
                        (ctx.ValidateClientAssertion, ctx.RejectClientAssertion) = (false, false);
                    }

                    return default;
                }).SetOrder(OpenIddict.Server.OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 1));
                o.AddEventHandler<ValidateTokenRequestContext>(b => b.UseInlineHandler(async ctx =>
                {
                    if (ctx.Request.ClientAssertionType is { } assertionType)
                    {
                        if (await ClientAssertionErrorAsync(assertionType, ctx.Request.ClientAssertion) is { } refused)
                        {
                            ctx.Reject(Errors.InvalidClient, refused);
                            return;
                        }

                        ClientAuthentications.Enqueue(ClientAuthenticationMethods.PrivateKeyJwt);
                    }
                    else if (ctx.ClientId != ClientId || ctx.ClientSecret != ClientSecret)
                    {
                        ctx.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
                    }
                    else
                    {
                        ClientAuthentications.Enqueue("client_secret");
                    }
                }));
                // Before OpenIddict picks the status code and writes the JSON.
                o.AddEventHandler<ApplyTokenResponseContext>(b => b.UseInlineHandler(ctx =>
                {
                    Tamper(ctx);
                    return default;
                }).SetOrder(50_000));
            })
            .AddValidation(o =>
            {
                o.UseLocalServer();
                o.UseAspNetCore();
                o.AddAudiences(IssText);
            });

        var app = builder.Build();
        if (!_options.FrameableLogin)
        {
            app.Use((http, next) =>
            {
                if (http.Request.Path.StartsWithSegments("/login") || http.Request.Path.StartsWithSegments("/connect/authorize"))
                {
                    http.Response.OnStarting(() =>
                    {
                        http.Response.Headers.XFrameOptions = "DENY";
                        http.Response.Headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                        return Task.CompletedTask;
                    });
                }

                return next(http);
            });
        }

        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => Results.Content(HomePage(), "text/html; charset=utf-8"));
        app.MapGet("/login", (string? returnUrl, bool? failed) => Results.Content(LoginPage(returnUrl ?? "/", failed == true), "text/html; charset=utf-8"));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            if (!IsLocal(returnUrl))
            {
                returnUrl = "/";
            }

            if (!_practitioners.TryGetValue(form["username"].ToString(), out var practitioner) || practitioner.Password != form["password"].ToString())
            {
                return Results.Redirect($"/login?failed=true&returnUrl={Uri.EscapeDataString(returnUrl)}");
            }

            await http.SignInAsync(LoginScheme, Session(practitioner));
            return Results.Redirect(returnUrl);
        });
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Func<HttpContext, Task<IResult>>)AuthorizeAsync);
        app.MapPost("/connect/token", (Func<HttpContext, Task<IResult>>)TokenAsync);
        app.MapGet("/fhir/.well-known/smart-configuration", (HttpContext http) =>
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Json(SmartConfiguration());
        });
        app.MapGet("/smart-style.json", (HttpContext http) =>
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            return Results.Json(SmartStyle);
        });
        app.MapGet("/fhir/Patient/{id}", (HttpContext http, string id) => ReadAsync(http, "Patient", id));
        app.MapGet("/fhir/Practitioner/{id}", (HttpContext http, string id) => ReadAsync(http, "Practitioner", id));
        app.MapGet("/ehr", ChartAsync);
        return app;
    }

    private async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var login = await http.AuthenticateAsync(LoginScheme);
        if (!login.Succeeded || !_practitioners.TryGetValue(login.Principal!.FindFirst(Claims.Subject)!.Value, out var practitioner))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return Refuse(Errors.LoginRequired, "The user is not signed in at the EHR.");
            }

            var query = http.Request.HasFormContentType ? QueryString.Create(http.Request.Form.ToList()) : http.Request.QueryString;
            return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + query }, [LoginScheme]);
        }

        var scopes = request.GetScopes();
        LaunchContext? launch = null;
        if (scopes.Contains(LaunchScope))
        {
            if ((string?)request["launch"] is not { } launchId || !_launches.TryGetValue(launchId, out launch) || launch.Expires < DateTimeOffset.UtcNow)
            {
                return Refuse(Errors.InvalidRequest, "Unknown or expired launch");
            }
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, practitioner.Id).SetClaim(Claims.Name, practitioner.Name);
        if (scopes.Contains(FhirUserClaim))
        {
            identity.SetClaim(FhirUserClaim, $"{IssText}/Practitioner/{practitioner.Id}");
        }

        // The launch context has no destination: it stays in the code and is answered beside the tokens.
        if (launch is not null)
        {
            identity.SetClaim(PatientClaim, launch.PatientId)
                .SetClaim(EncounterClaim, launch.Encounter)
                .AddClaim(new Claim(BannerClaim, launch.NeedPatientBanner ? "true" : "false", ClaimValueTypes.Boolean));
        }

        identity.SetScopes(scopes);
        identity.SetResources(IssText);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or FhirUserClaim => [Destinations.AccessToken, Destinations.IdentityToken],
            _ => [],
        });
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private async Task<IResult> TokenAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (!request.IsAuthorizationCodeGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "Only the authorization code grant.");
        }

        // The code was checked by OpenIddict (signature, expiry, PKCE, client, redirect_uri).
        var code = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal!;
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        foreach (var type in (string[])[Claims.Subject, Claims.Name, FhirUserClaim, PatientClaim, EncounterClaim])
        {
            identity.SetClaim(type, code.GetClaim(type));
        }

        identity.SetScopes(code.GetScopes());
        identity.SetResources(code.GetResources());
        // The FHIR endpoints read the patient context from the access token.
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Name or FhirUserClaim => [Destinations.AccessToken, Destinations.IdentityToken],
            PatientClaim or EncounterClaim => [Destinations.AccessToken],
            _ => [],
        });

        // SMART's launch context: top-level fields of the token response.
        var parameters = new Dictionary<string, object?> { ["smart_style_url"] = new Uri(BaseAddress, "smart-style.json").AbsoluteUri };
        if (code.GetClaim(PatientClaim) is { } patient)
        {
            parameters[PatientClaim] = patient;
            parameters[BannerClaim] = string.Equals(code.GetClaim(BannerClaim), "true", StringComparison.OrdinalIgnoreCase);
            if (code.GetClaim(EncounterClaim) is { } encounter)
            {
                parameters[EncounterClaim] = encounter;
            }
        }

        TokenRequests.Enqueue(request.ClientId!);
        return Results.SignIn(new ClaimsPrincipal(identity), new AuthenticationProperties(new Dictionary<string, string?>(), parameters),
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The test hooks on a successful token response: the id token's claims first, then the whole answer.</summary>
    private void Tamper(ApplyTokenResponseContext context)
    {
        var response = context.Response;
        if (!string.IsNullOrEmpty(response.Error))
        {
            return;
        }

        if (TamperIdToken is { } tamperIdToken && response.IdToken is { } idToken)
        {
            var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(new JsonWebToken(idToken).EncodedPayload))!;
            var claims = payload.ToDictionary(p => p.Key, p => ClrValue(p.Value) ?? p.Value, StringComparer.Ordinal);
            tamperIdToken(claims);
            response.IdToken = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Claims = claims,
                TokenType = "JWT",
                SigningCredentials = context.Options.SigningCredentials[0],
            });
        }

        if (TamperTokenResponse is { } tamperResponse)
        {
            var parameters = response.GetParameters().ToDictionary(p => p.Key, p => p.Value.GetRawValue() is JsonElement json ? ClrValue(json) ?? json : p.Value.GetRawValue(), StringComparer.Ordinal);
            tamperResponse(parameters);
            foreach (var name in response.GetParameters().Keys.ToList())
            {
                response.RemoveParameter(name);
            }

            foreach (var (name, value) in parameters)
            {
                response.SetParameter(name, value switch
                {
                    null => (OpenIddictParameter?)null,
                    OpenIddictParameter parameter => parameter,
                    string text => new OpenIddictParameter(text),
                    bool flag => new OpenIddictParameter(flag),
                    int number => new OpenIddictParameter(number),
                    long number => new OpenIddictParameter(number),
                    string[] texts => new OpenIddictParameter([.. texts]),
                    ImmutableArray<string> texts => new OpenIddictParameter([.. texts]),
                    JsonElement json => new OpenIddictParameter(json),
                    _ => new OpenIddictParameter(JsonSerializer.SerializeToElement(value)),
                });
            }
        }
    }

    /// <summary>A JSON primitive as a string, boolean or long (or double); null for arrays, objects and null.</summary>
    private static object? ClrValue(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => json.TryGetInt64(out var whole) ? whole : json.GetDouble(),
        _ => null,
    };

    private async Task<IResult> ReadAsync(HttpContext http, string type, string id)
    {
        var token = await http.AuthenticateAsync(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme);
        if (!token.Succeeded)
        {
            http.Response.Headers.WWWAuthenticate = http.Request.Headers.Authorization.Count == 0
                ? "Bearer"
                : "Bearer error=\"invalid_token\"";
            return FhirAnswer(Outcome(R4.OperationOutcome.IssueType.Login, "A valid access token from this EHR is required."), StatusCodes.Status401Unauthorized);
        }

        var principal = token.Principal!;
        var scopes = principal.GetScopes();
        var allowed = type switch
        {
            // A patient/ scope reaches only the launch's patient; a user/ scope any the user may see.
            "Patient" => Permits(scopes, "user", type) || (Permits(scopes, "patient", type) && principal.GetClaim(PatientClaim) == id),
            // fhirUser lets the app read the signed-in user's own resource.
            _ => Permits(scopes, "user", type) || (scopes.Contains(FhirUserClaim) && principal.GetClaim(Claims.Subject) == id),
        };
        if (!allowed)
        {
            return FhirAnswer(Outcome(R4.OperationOutcome.IssueType.Forbidden, $"The token's scopes do not reach {type}/{id}."), StatusCodes.Status403Forbidden);
        }

        R4.Resource? resource = type switch
        {
            "Patient" => _patients.TryGetValue(id, out var patient) ? PatientResource(patient) : null,
            _ => _practitioners.TryGetValue(id, out var practitioner) ? PractitionerResource(practitioner) : null,
        };
        return resource is null
            ? FhirAnswer(Outcome(R4.OperationOutcome.IssueType.NotFound, $"{type}/{id} is not known."), StatusCodes.Status404NotFound)
            : FhirAnswer(resource, StatusCodes.Status200OK);
    }

    /// <summary>Whether a SMART scope of <paramref name="context"/> (patient, user) reads <paramref name="type"/> (v1 <c>read</c>/<c>*</c> or v2 <c>r</c>).</summary>
    private static bool Permits(IEnumerable<string> scopes, string context, string type) => scopes.Any(scope =>
    {
        var match = ClinicalScope().Match(scope);
        if (!match.Success || match.Groups["context"].Value != context)
        {
            return false;
        }

        var resource = match.Groups["type"].Value;
        var permissions = match.Groups["permissions"].Value;
        return (resource == "*" || resource == type)
            && (permissions is "read" or "*" || (permissions != "write" && permissions.Contains('r', StringComparison.Ordinal)));
    });

    /// <summary>SMART clinical scopes, v1 (<c>patient/Observation.read</c>) and v2 (<c>patient/Observation.rs</c>, with an optional query).</summary>
    [GeneratedRegex(@"^(?<context>patient|user|system)/(?<type>\*|[A-Z][A-Za-z]+)\.(?<permissions>read|write|\*|(?=[cruds])c?r?u?d?s?)(\?\S*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex ClinicalScope();

    private static R4.Patient PatientResource(PatientRecord patient)
    {
        var resource = new R4.Patient
        {
            Id = patient.Id,
            Active = true,
            Identifier =
            [
                new R4.Identifier(MrnSystem, patient.Mrn)
                {
                    Use = R4.Identifier.IdentifierUse.Usual,
                    Type = new R4.CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
                },
            ],
            Name = [Name(patient.Name)],
            BirthDate = patient.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (patient.HuddleId is { } huddleId)
        {
            resource.Identifier.Add(new R4.Identifier(PatientIdentifierSystem, huddleId));
        }

        return resource;
    }

    private static R4.Practitioner PractitionerResource(PractitionerRecord practitioner) => new()
    {
        Id = practitioner.Id,
        Active = true,
        Identifier = [new R4.Identifier(UserIdentifierSystem, practitioner.HuddleUserId)],
        Name = [Name(practitioner.Name)],
    };

    private static R4.HumanName Name(string displayName)
    {
        var parts = displayName.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return new R4.HumanName
        {
            Use = R4.HumanName.NameUse.Official,
            Text = displayName,
            Family = parts[^1],
            Given = parts[..^1],
        };
    }

    private static R4.OperationOutcome Outcome(R4.OperationOutcome.IssueType code, string diagnostics) => new()
    {
        Issue = [new R4.OperationOutcome.IssueComponent { Severity = R4.OperationOutcome.IssueSeverity.Error, Code = code, Diagnostics = diagnostics }],
    };

    private static IResult FhirAnswer(R4.Resource resource, int status) =>
        Results.Text(new FhirJsonSerializer().SerializeToString(resource), FhirContentType, Encoding.UTF8, status);

    private static IResult Refuse(string error, string description) =>
        Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>
    /// Why a client assertion (RFC 7523) is refused, or null: the jwt-bearer type, signed (RS384 or ES384) by a
    /// key of the client's registered set, issuer and subject the client id, audience this token endpoint,
    /// unexpired and living at most five minutes, with a <c>jti</c>.
    /// </summary>
    private async Task<string?> ClientAssertionErrorAsync(string type, string? assertion)
    {
        if (type != ClientAssertionTypes.JwtBearer || assertion is null)
        {
            return "Only a jwt-bearer client assertion is accepted.";
        }

        if (ClientJwks is null)
        {
            return "This client has no keys registered here.";
        }

        var keys = new JsonWebKeySet(await ClientJwks()).GetSigningKeys();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = ClientId,
            ValidAudience = new Uri(BaseAddress, "connect/token").AbsoluteUri,
            IssuerSigningKeys = keys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha384],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        });
        if (!result.IsValid)
        {
            return $"The client assertion was refused ({result.Exception?.GetType().Name}).";
        }

        var token = (JsonWebToken)result.SecurityToken;
        return token.Subject != ClientId ? "The client assertion's subject is not the client."
            : string.IsNullOrEmpty(token.Id) ? "The client assertion has no jti."
            : !_assertionIds.TryAdd(token.Id, 0) ? "The client assertion was used before (its jti)."
            : token.ValidTo - token.IssuedAt > TimeSpan.FromMinutes(5) ? "The client assertion lives longer than five minutes."
            : null;
    }

    private Dictionary<string, object> SmartConfiguration() => new()
    {
        ["issuer"] = Issuer.AbsoluteUri,
        ["jwks_uri"] = new Uri(BaseAddress, ".well-known/jwks").AbsoluteUri,
        ["authorization_endpoint"] = new Uri(BaseAddress, "connect/authorize").AbsoluteUri,
        ["token_endpoint"] = new Uri(BaseAddress, "connect/token").AbsoluteUri,
        ["token_endpoint_auth_methods_supported"] = new[] { ClientAuthenticationMethods.ClientSecretBasic, ClientAuthenticationMethods.ClientSecretPost, ClientAuthenticationMethods.PrivateKeyJwt },
        ["token_endpoint_auth_signing_alg_values_supported"] = new[] { SecurityAlgorithms.RsaSha384, SecurityAlgorithms.EcdsaSha384 },
        ["grant_types_supported"] = new[] { GrantTypes.AuthorizationCode },
        ["scopes_supported"] = SupportedScopes,
        ["response_types_supported"] = new[] { ResponseTypes.Code },
        ["code_challenge_methods_supported"] = new[] { CodeChallengeMethods.Sha256 },
        ["capabilities"] = Capabilities,
    };

    /// <summary>The EHR's look (SMART's style document, <c>context-style</c>): an EHR's quiet blue and grey.</summary>
    private static readonly Dictionary<string, string> SmartStyle = new(StringComparer.Ordinal)
    {
        ["color_background"] = "#f4f6f8",
        ["color_error"] = "#b3261e",
        ["color_highlight"] = "#1f5f99",
        ["color_modal_backdrop"] = "rgba(15, 30, 45, 0.55)",
        ["color_success"] = "#2e7d32",
        ["color_text"] = "#1b2733",
        ["dim_border_radius"] = "4px",
        ["dim_font_size"] = "14px",
        ["dim_spacing_size"] = "8px",
        ["font_family_body"] = "\"Segoe UI\", Roboto, \"Helvetica Neue\", Arial, sans-serif",
        ["font_family_heading"] = "\"Segoe UI Semibold\", Roboto, \"Helvetica Neue\", Arial, sans-serif",
    };

    private static ClaimsPrincipal Session(PractitionerRecord practitioner) =>
        new(new ClaimsIdentity([new Claim(Claims.Subject, practitioner.Id), new Claim(Claims.Name, practitioner.Name)], LoginScheme));

    private static bool IsLocal(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    /// <summary>The demo chart: the clinician signed in, the patient's chart with Huddle framed beside it.</summary>
    private async Task<IResult> ChartAsync(HttpContext http, string? user, string? patient)
    {
        if (user is null || !_practitioners.TryGetValue(user, out var practitioner))
        {
            return Results.NotFound($"No practitioner {user} at the test EHR.");
        }

        if (patient is null || !_patients.TryGetValue(patient, out var record))
        {
            return Results.NotFound($"No patient {patient} at the test EHR.");
        }

        // A fake EHR's shortcut, on purpose: opening the chart signs the clinician in without a password,
        // as if they had signed in to the EHR at the start of their shift.
        await http.SignInAsync(LoginScheme, Session(practitioner));
        return Results.Content(ChartPage(practitioner, record), "text/html; charset=utf-8");
    }

    private string ChartPage(PractitionerRecord practitioner, PatientRecord patient)
    {
        static string E(string text) => HtmlEncoder.Default.Encode(text);
        var launch = HuddleLaunchUrl is null
            ? "<p id=\"no-huddle\" role=\"status\">Huddle is not connected to this EHR: no launch URL is set (TestEhr.HuddleLaunchUrl).</p>"
            : $"<iframe id=\"huddle-widget\" title=\"Huddle\" src=\"{E(LaunchUrl(patient.Id).AbsoluteUri)}\" style=\"width:380px;height:640px;border:1px solid #ccc\"></iframe>";
        var others = string.Concat(_patients.Values.Where(p => p.Id != patient.Id).OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"<li><a href=\"/ehr?user={Uri.EscapeDataString(practitioner.Id)}&amp;patient={Uri.EscapeDataString(p.Id)}\">{E(p.Name)}</a></li>"));
        var birth = patient.BirthDate.ToString("dd MMM yyyy", CultureInfo.InvariantCulture);
        var age = AgeOn(patient.BirthDate, DateOnly.FromDateTime(DateTime.UtcNow));
        return $$"""
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <title>Test EHR — {{E(patient.Name)}}</title>
            <style>
            body{margin:0;font-family:"Segoe UI",Roboto,Arial,sans-serif;font-size:14px;color:#1b2733;background:#f4f6f8}
            header{background:#1f5f99;color:#fff;padding:8px 16px;display:flex;gap:24px;align-items:baseline}
            header h1{font-size:20px;margin:0}
            .banner{background:#fff;border-bottom:1px solid #ccd3da;padding:8px 16px;display:flex;gap:24px}
            main{display:flex;gap:16px;padding:16px}
            nav{width:200px} nav h2,section h2{font-size:15px;margin:0 0 6px}
            .chart{flex:1;display:grid;grid-template-columns:1fr 1fr;gap:12px;align-content:start}
            section{background:#fff;border:1px solid #ccd3da;border-radius:4px;padding:8px 12px}
            </style></head>
            <body>
            <header><h1>Test EHR</h1><span id="user">Signed in: {{E(practitioner.Name)}}</span></header>
            <div class="banner" id="chart-header">
            <strong id="patient-name">{{E(patient.Name)}}</strong>
            <span id="patient-birth">DOB {{birth}} ({{age}} y)</span>
            <span id="patient-mrn">MRN {{E(patient.Mrn)}}</span>
            </div>
            <main>
            <nav aria-label="Patients"><h2>Other patients</h2><ul id="patient-switcher">{{others}}</ul></nav>
            <div class="chart">
            <section><h2>Problems</h2><ul><li>Major depressive disorder, recurrent, moderate</li><li>Type 2 diabetes mellitus</li><li>Essential hypertension</li></ul></section>
            <section><h2>Medications</h2><ul><li>Sertraline 100 mg daily</li><li>Metformin 1000 mg twice daily</li><li>Lisinopril 10 mg daily</li></ul></section>
            <section><h2>Allergies</h2><ul><li>Penicillin (rash)</li></ul></section>
            <section><h2>Vitals</h2><ul><li>BP 132/84</li><li>HR 76</li><li>BMI 29.4</li></ul></section>
            <section><h2>Recent notes</h2><ul><li>Primary care follow-up — 3 weeks ago</li><li>Behavioral health intake — 5 weeks ago</li></ul></section>
            <section><h2>Orders</h2><ul><li>HbA1c — pending</li><li>PHQ-9 — due</li></ul></section>
            </div>
            <aside aria-label="Huddle">{{launch}}</aside>
            </main>
            </body></html>
            """;
    }

    private static int AgeOn(DateOnly birth, DateOnly today) =>
        today.Year - birth.Year - (today < birth.AddYears(today.Year - birth.Year) ? 1 : 0);

    private string HomePage()
    {
        static string E(string text) => HtmlEncoder.Default.Encode(text);
        var links = string.Concat(_practitioners.Values.OrderBy(p => p.Name, StringComparer.Ordinal).SelectMany(practitioner =>
            _patients.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(patient =>
                $"<li><a href=\"/ehr?user={Uri.EscapeDataString(practitioner.Id)}&amp;patient={Uri.EscapeDataString(patient.Id)}\">{E(practitioner.Name)}: {E(patient.Name)}</a></li>")));
        return $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test EHR</title></head>
            <body><h1>Test EHR</h1><ul>{links}</ul></body></html>
            """;
    }

    private static string LoginPage(string returnUrl, bool failed) => $$"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test EHR sign-in</title></head>
        <body><h1>Test EHR sign-in</h1>
        {{(failed ? "<p role=\"alert\" id=\"failed\">Wrong user name or password.</p>" : "")}}
        <form method="post" action="/login">
        <input type="hidden" name="returnUrl" value="{{HtmlEncoder.Default.Encode(returnUrl)}}">
        <label>User name <input id="username" name="username" autocomplete="username"></label>
        <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
        <button id="submit" type="submit">Sign in</button>
        </form></body></html>
        """;

    private sealed record PractitionerRecord(string Id, string Name, string HuddleUserId, string Password);

    private sealed record PatientRecord(string Id, string Name, DateOnly BirthDate, string? HuddleId, string Mrn);

    private sealed record LaunchContext(string PatientId, string? Encounter, bool NeedPatientBanner, DateTimeOffset Expires);
}
