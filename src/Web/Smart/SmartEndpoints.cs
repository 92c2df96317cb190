using Huddle.Contracts.Common;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Hl7.Fhir.Model;
using Huddle.Contracts.Audit;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Smart;
using Huddle.Contracts.Users;
using Huddle.Web.Security;
using Task = System.Threading.Tasks.Task;

namespace Huddle.Web.Smart;

/// <summary>
/// SMART App Launch 2.2, EHR launch (docs/integration.md): <c>/smart/launch</c> starts it,
/// <c>/smart/callback</c> finishes it into a widget session (a sign-in completed in a new window hands
/// it to the chart's frame that opened the window, browser-side: <c>smart-launch.js</c>). No step
/// redirects anywhere but to a configured EHR's authorize endpoint or to Huddle's own widget.
/// </summary>
public static partial class SmartEndpoints
{
    public const string LaunchPath = "/smart/launch";

    public const string CallbackPath = "/smart/callback";

    /// <summary>How long a launch may take from Huddle's redirect to the EHR's callback.</summary>
    public static readonly TimeSpan LaunchLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The launch cookie's name prefix (<c>__Host-</c>: Secure, path /, no domain, set by Huddle only).</summary>
    public const string BindingCookie = "__Host-huddle-launch-";

    public static void MapSmartEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(LaunchPath, LaunchAsync);
        app.MapGet(CallbackPath, CallbackAsync);
        // Huddle's public key for private_key_jwt, the URL an EHR registers (none configured: an empty set).
        app.MapGet(SmartClientKey.JwksPath, (HttpContext context, SmartSettings settings) =>
        {
            // Five minutes: a changed key reaches EHRs (and caches between) soon.
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Content(settings.ClientKey?.Jwks ?? """{"keys":[]}""", "application/jwk-set+json");
        });
    }

    /// <summary>The SHA-256 of <paramref name="value"/>, hex: how a state, handle or secret is named in grains and storage.</summary>
    public static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    /// <summary>A random value of 256 bits, base64url.</summary>
    public static string Random() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static async Task<IResult> LaunchAsync(HttpContext context, SmartSettings settings, SmartClient smart, IGrainFactory grains,
        TimeProvider time, ILoggerFactory loggers, string? iss, string? launch, string? frame, CancellationToken cancellationToken)
    {
        if (settings.Tenants.IsEmpty)
        {
            return SmartPages.Problem(context, StatusCodes.Status404NotFound, "not_configured", "SMART launch is not set up on this Huddle.");
        }

        if (settings.TenantOf(iss) is not { } tenant)
        {
            LogRefusedIss(loggers.CreateLogger(typeof(SmartEndpoints)), iss?.Length ?? 0);
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "unknown_ehr", "This EHR is not registered with Huddle. Ask your Huddle administrator to add it.");
        }

        SecurityHeaders.AllowFraming(context, tenant.FrameOrigins);
        if (string.IsNullOrEmpty(launch) || launch.Length > 2048)
        {
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "missing_launch", "The EHR sent no launch context. Open Huddle from a patient's chart.");
        }

        if (frame is not null && (frame.Length != 64 || !frame.All(char.IsAsciiHexDigitLower)))
        {
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "bad_request", "The sign-in window's address is not one Huddle made.");
        }

        if (frame is not null)
        {
            // The sign-in window hands the session to the frame that opened it (its opener): kept.
            SecurityHeaders.KeepOpener(context);
        }

        SmartConfiguration configuration;
        try
        {
            configuration = await smart.ConfigurationAsync(tenant, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is SmartLaunchException or HttpRequestException or System.Text.Json.JsonException or TaskCanceledException)
        {
            return SmartPages.Problem(context, StatusCodes.Status502BadGateway, "ehr_unavailable", "Huddle could not read the EHR's SMART configuration. Try again in a moment.");
        }

        if (!configuration.Capabilities.Contains("launch-ehr") || !configuration.CodeChallengeMethods.Contains("S256"))
        {
            return SmartPages.Problem(context, StatusCodes.Status502BadGateway, "ehr_unsupported",
                "The EHR does not offer what Huddle requires: an EHR launch (launch-ehr) with PKCE S256.");
        }

        // The EHR's sign-in refuses to be framed: offer it in a new window, which hands the session back.
        if (frame is null && !tenant.FrameableLogin && IsFramed(context))
        {
            return SmartPages.NewWindow(context, $"{LaunchPath}?iss={Uri.EscapeDataString(iss!)}&launch={Uri.EscapeDataString(launch)}",
                "Your EHR's sign-in opens in a new window.");
        }

        var state = Random();
        var verifier = Random();
        var nonce = Random();
        var binding = Random();
        var redirect = (settings.RedirectUri ?? new Uri($"{context.Request.Scheme}://{context.Request.Host}{CallbackPath}")).ToString();
        await grains.Grain<ISmartLaunchGrain>(Hash(state)).SaveAsync(
            new SmartLaunchRecord(tenant.Key, launch, verifier, nonce, Hash(binding), redirect, time.GetUtcNow() + LaunchLifetime, frame));

        // The browser that started the launch is the one that must finish it: a cookie only this frame's
        // partition holds (CHIPS), HttpOnly, for this launch only. Without it the callback fails closed.
        context.Response.Cookies.Append(BindingCookie + Hash(state)[..16], binding, new CookieOptions
        {
            HttpOnly = true,
            Secure = true,
            SameSite = SameSiteMode.None,
            Path = "/",
            MaxAge = LaunchLifetime,
            Extensions = { "Partitioned" },
        });
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = tenant.ClientId,
            ["redirect_uri"] = redirect,
            ["scope"] = string.Join(' ', settings.Scopes),
            ["state"] = state,
            ["aud"] = tenant.Iss.ToString().TrimEnd('/'),
            ["launch"] = launch,
            ["nonce"] = nonce,
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
        };
        return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(configuration.AuthorizationEndpoint.ToString(), query));
    }

    private static async Task<IResult> CallbackAsync(HttpContext context, SmartSettings settings, SmartClient smart, IGrainFactory grains,
        TimeProvider time, ILoggerFactory loggers, string? state, string? code, string? error, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SmartEndpoints));
        if (string.IsNullOrEmpty(state) || state.Length > 256)
        {
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "missing_state", "This is not a launch Huddle started. Open Huddle from a patient's chart.");
        }

        // Taken before anything else is checked: whatever follows, this state cannot be used again.
        var key = Hash(state);
        var record = await grains.Grain<ISmartLaunchGrain>(key).TakeAsync();
        if (record is null)
        {
            LogRefused(logger, "launch_expired");
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "launch_expired",
                "This launch has expired or was already used. Open Huddle again from the patient's chart.");
        }

        var tenant = settings.TenantOf(record.Iss);
        if (tenant is null)
        {
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "unknown_ehr", "This EHR is no longer registered with Huddle.");
        }

        SecurityHeaders.AllowFraming(context, tenant.FrameOrigins);
        var cookieName = BindingCookie + key[..16];
        var binding = context.Request.Cookies[cookieName];
        context.Response.Cookies.Delete(cookieName, new CookieOptions { Secure = true, SameSite = SameSiteMode.None, Path = "/", Extensions = { "Partitioned" } });
        if (binding is null)
        {
            // The browser kept no cookie for this frame (a browser that blocks even partitioned cookies):
            // fail closed, and offer the launch in a window of its own, where Huddle is first party.
            LogRefused(logger, "binding_missing");
            return record.FrameToken is null
                ? SmartPages.NewWindow(context, $"{LaunchPath}?iss={Uri.EscapeDataString(tenant.Iss.ToString().TrimEnd('/'))}&launch={Uri.EscapeDataString(record.Launch)}",
                    "Your browser did not keep this sign-in inside the chart.")
                : SmartPages.Problem(context, StatusCodes.Status400BadRequest, "binding_missing", "Your browser did not keep this sign-in. Open Huddle again from the patient's chart.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(binding)), Encoding.ASCII.GetBytes(record.BindingHash)))
        {
            LogRefused(logger, "binding_mismatch");
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "binding_mismatch", "This sign-in was started in another browser. Open Huddle again from the patient's chart.");
        }

        if (!string.IsNullOrEmpty(error) || string.IsNullOrEmpty(code))
        {
            LogRefused(logger, "ehr_error");
            return SmartPages.Problem(context, StatusCodes.Status400BadRequest, "ehr_refused",
                $"The EHR did not let Huddle in{(string.IsNullOrEmpty(error) ? "" : $" ({error})")}. Open Huddle again from the patient's chart.");
        }

        try
        {
            var session = await CompleteAsync(settings, tenant, record, code, smart, grains, time, cancellationToken);
            var handle = "hw_" + Random();
            if (!await grains.Grain<IWidgetSessionGrain>(Hash(handle)).StartAsync(session))
            {
                throw new InvalidOperationException("A fresh widget handle was already in use.");
            }

            await AuditStore.AppendAsync(grains, new AuditRecord(time.GetUtcNow(), session.UserId, "Smart.Launch", "patient", session.PatientId, session.PatientId,
                AuditOutcome.Allowed, "ok", AuditVia.Http, tenant.Id));
            LogLaunched(logger, tenant.Id);
            var widget = $"{WidgetPath}/{tenant.Id}#{handle}";
            if (record.FrameToken is { } frame)
            {
                // The window's page hands the widget's address to its opener, if that is the frame that
                // made this launch; a window opened any other way (a link someone sent) hands it to nobody.
                SecurityHeaders.KeepOpener(context);
                return SmartPages.SignedInElsewhere(context, widget, frame);
            }

            // 303: the widget's address, the handle in its fragment, which browsers never send to a server.
            context.Response.Headers.Location = widget;
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        }
        catch (SmartLaunchException ex)
        {
            LogRefused(logger, ex.Code);
            if (ex is { UserId: { } refusedUser, PatientId: { } refusedPatient })
            {
                // A clinician refused a patient's record is audited like any other refusal.
                await AuditStore.AppendAsync(grains, new AuditRecord(time.GetUtcNow(), refusedUser, "Smart.Launch", "patient", refusedPatient, refusedPatient,
                    AuditOutcome.Denied, ex.Code, AuditVia.Http, tenant.Id));
            }

            return SmartPages.Problem(context, ex.Code is "unknown_user" or "not_on_team" ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            LogRefused(logger, "ehr_unavailable");
            return SmartPages.Problem(context, StatusCodes.Status502BadGateway, "ehr_unavailable", "Huddle could not reach the EHR to finish the launch. Open Huddle again from the chart.");
        }
    }

    /// <summary>The widget's address: <c>/w/{tenant id}</c>, the session's handle in the fragment.</summary>
    public const string WidgetPath = "/w";

    /// <summary>The code, the tokens and the launch context checked, and the EHR's user and patient mapped to Huddle's: the session to open.</summary>
    private static async Task<WidgetSession> CompleteAsync(SmartSettings settings, SmartTenant tenant, SmartLaunchRecord record, string code,
        SmartClient smart, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        var configuration = await smart.ConfigurationAsync(tenant, cancellationToken: cancellationToken);
        var tokens = await smart.ExchangeAsync(tenant, configuration, code, record.CodeVerifier, record.RedirectUri, cancellationToken);
        var granted = tokens.Scopes ?? settings.Scopes.ToHashSet(StringComparer.Ordinal);
        if (!granted.Contains("openid") || !granted.Contains("fhirUser") || !GrantsPatientRead(granted))
        {
            throw new SmartLaunchException("scopes", "The EHR did not grant what Huddle needs (openid, fhirUser and reading the patient).");
        }

        if (string.IsNullOrEmpty(tokens.Patient))
        {
            throw new SmartLaunchException("no_patient", "The EHR sent no patient with this launch. Open Huddle from a patient's chart.");
        }

        var id = await smart.ValidateIdTokenAsync(tenant, configuration, tokens.IdToken, record.Nonce, cancellationToken);
        if (!id.TryGetPayloadValue<string>("fhirUser", out var fhirUser) || string.IsNullOrEmpty(fhirUser)
            || !fhirUser.Contains("Practitioner/", StringComparison.Ordinal))
        {
            throw new SmartLaunchException("unknown_user", "The EHR did not say which clinician is signed in (a Practitioner as fhirUser).");
        }

        var practitioner = await smart.ReadAsync<Practitioner>(tenant, fhirUser, tokens.AccessToken, cancellationToken);
        var userId = practitioner.Identifier.FirstOrDefault(i => i.System == tenant.UserIdentifierSystem)?.Value;
        if (userId is null || !Contracts.Common.Ids.IsValid(userId)
            || await grains.Grain<IUserGrain>(userId).GetAsync() is not { Kind: UserKind.Clinician } user)
        {
            throw new SmartLaunchException("unknown_user", "Your EHR account is not linked to a Huddle clinician. Ask your Huddle administrator.");
        }

        var patient = await smart.ReadAsync<Patient>(tenant, "Patient/" + Uri.EscapeDataString(tokens.Patient), tokens.AccessToken, cancellationToken);
        var patientId = patient.Identifier.FirstOrDefault(i => i.System == tenant.PatientIdentifierSystem)?.Value;
        if (patientId is null || !Contracts.Common.Ids.IsValid(patientId)
            || await grains.Grain<IPatientGrain>(patientId).GetAsync() is not { } profile)
        {
            throw new SmartLaunchException("unknown_patient", "This patient is not in Huddle.");
        }

        var teams = profile.TeamIds.Intersect(user.TeamIds, StringComparer.Ordinal).ToList();
        if (teams.Count == 0)
        {
            throw new SmartLaunchException("not_on_team", "You are not on a care team of this patient in Huddle.", userId, patientId);
        }

        // Only from the EHR's own servers: a style address elsewhere is not fetched.
        var style = tokens.StyleUrl is { } styleUrl && (SameOrigin(styleUrl, tenant.Iss) || SameOrigin(styleUrl, configuration.AuthorizationEndpoint))
            ? await smart.StyleAsync(styleUrl, cancellationToken)
            : null;
        var now = time.GetUtcNow();
        var lifetime = tokens.ExpiresIn is { } expires && expires < settings.SessionLifetime ? expires : settings.SessionLifetime;
        return new WidgetSession(tenant.Key, userId, patientId, [.. teams], tokens.NeedPatientBanner, style, now, now + lifetime);
    }

    /// <summary>Reading the patient is granted by a SMART v2 (<c>.rs</c>, <c>.r</c>…) or v1 (<c>.read</c>, <c>.*</c>) scope on Patient or on every resource.</summary>
    private static bool GrantsPatientRead(IReadOnlySet<string> scopes) => scopes.Any(s =>
        (s.StartsWith("patient/Patient.", StringComparison.Ordinal) || s.StartsWith("patient/*.", StringComparison.Ordinal))
        && s[(s.IndexOf('.', StringComparison.Ordinal) + 1)..].Split('?')[0] is var access
        && (access is "read" or "*" || (access.Length is > 0 and <= 5 && access.All("cruds".Contains) && access.Contains('r', StringComparison.Ordinal))));

    private static bool SameOrigin(Uri a, Uri b) => a.GetLeftPart(UriPartial.Authority).Equals(b.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the browser says this page is loading inside a frame (Fetch Metadata).</summary>
    private static bool IsFramed(HttpContext context) => context.Request.Headers["Sec-Fetch-Dest"].ToString() is "iframe" or "frame";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a SMART launch from an EHR not in Huddle:Smart:Tenants (iss of {Length} characters)")]
    private static partial void LogRefusedIss(ILogger logger, int length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a SMART launch callback: {Code}")]
    private static partial void LogRefused(ILogger logger, string code);

    [LoggerMessage(Level = LogLevel.Information, Message = "A SMART launch from EHR tenant {Tenant} opened a widget session")]
    private static partial void LogLaunched(ILogger logger, string tenant);
}
