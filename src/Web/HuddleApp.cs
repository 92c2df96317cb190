using Huddle.Silo.Demo;
using Huddle.Silo.Hosting;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Chat;
using Huddle.Web.Handoffs;
using Huddle.Web.Presence;
using Huddle.Web.Auth;
using Huddle.Web.Layout;
using Huddle.Web.Home;
using Huddle.Web.Live;
using Huddle.Web.Metrics;
using Huddle.Web.Audit;
using Huddle.Web.Emergency;
using Huddle.Web.Registry;
using Microsoft.AspNetCore.SignalR;
using Huddle.Web.Operations;
using Huddle.Web.Security;
using Huddle.Web.Smart;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor.Services;
using Huddle.Contracts.Common;

namespace Huddle.Web;

/// <summary>Builds the Huddle web host: Orleans (co-hosted silo or client), auth, API, hub, Blazor UI.</summary>
public static class HuddleApp
{
    /// <summary>The largest hub message a client may send (docs/api.md, "Limits").</summary>
    public const int MaxHubMessageBytes = 64 * 1024;

    /// <summary>Creates the app from command-line args; <paramref name="configure"/> lets tests adjust the builder.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The application is always this assembly, also when a test host starts it, so its static
        // web assets (MudBlazor's CSS and JS, app.css) are found by name.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(HuddleApp).Assembly.GetName().Name,
        });
        configure?.Invoke(builder);
        builder.AddHuddleOrleans();
        builder.AddHuddleWeb();
        builder.AddHuddleRateLimits();
        builder.AddHuddleOperations();
        var app = builder.Build();
        app.UseHuddleWeb();
        return app;
    }

    /// <summary>
    /// Co-hosts a silo in this process (default) or, with Huddle:Orleans:Mode=Client, connects to
    /// standalone silos as an Orleans client.
    /// </summary>
    public static void AddHuddleOrleans(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var mode = config[HuddleConfig.OrleansMode] ?? "CoHosted";
        if (mode.Equals("CoHosted", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleans(silo => silo.AddHuddleSilo(config));
        }
        else if (mode.Equals("Client", StringComparison.OrdinalIgnoreCase))
        {
            builder.UseOrleansClient(client => client.UseHuddleClustering(config));
        }
        else
        {
            throw new InvalidOperationException($"{HuddleConfig.OrleansMode} '{mode}' is not known; use CoHosted or Client.");
        }
    }

    /// <summary>Registers the web services: auth, SignalR, the relay, Blazor and MudBlazor.</summary>
    public static void AddHuddleWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(Contracts.Common.HuddleClock.System);
        builder.Services.AddHuddleAuthentication(builder.Configuration, builder.Environment);
        builder.Services.ConfigureHttpJsonOptions(o => HuddleJson.Configure(o.SerializerOptions));
        // Every problem document carries a stable "code", also the framework's own (bad JSON, a
        // missing query parameter), so clients switch on one field.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions.TryAdd("code", ApiErrors.CodeOf(ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode)));
        builder.Services.AddSignalR(o =>
            {
                // OWASP's cap: a bigger message closes the sender's connection, nobody else's.
                o.MaximumReceiveMessageSize = MaxHubMessageBytes;
                // Outermost: a call over the rate limit does no work at all.
                o.AddFilter<HubRateLimitFilter>();
                o.AddFilter<HubErrorFilter>();
                o.AddFilter<PresenceHubFilter>();
                // A provider sign-out (back-channel logout) aborts the person's connections.
                o.AddFilter<SessionHubFilter>();
                o.AddFilter<Audit.AuditViaHubFilter>();
            })
            .AddJsonProtocol(o => HuddleJson.Configure(o.PayloadSerializerOptions));
        builder.Services.AddSingleton<HubErrorFilter>();
        builder.Services.AddHuddleLive(builder.Configuration);
        builder.Services.AddSingleton<MeService>();
        builder.Services.AddHuddleSmart(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton<AuditService>();
        builder.Services.AddSingleton<Admin.TeamAdminService>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddSingleton<EmergencyAccessService>();
        builder.Services.AddOptions<EmergencyPageOptions>().Bind(builder.Configuration.GetSection("Huddle:EmergencyAccess"));
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditedAuthorizationResults>();
        builder.Services.AddSingleton<MetricsService>();
        builder.Services.AddSingleton(new DemoHistory(builder.Configuration.GetValue(HuddleConfig.SeedDemoData, false) ? [.. DemoData.Teams.Select(t => t.TeamId)] : []));
        builder.Services.AddSingleton(new DevIdentities(DemoData.Users));
        builder.Services.AddSingleton(DevToken.From(builder.Configuration));
        // Features: each brings its service and its route through the relay.
        builder.Services.AddSingleton<BoardService>();
        builder.Services.AddSingleton<RegistryService>();
        builder.Services.Configure<Fhir.FhirOptions>(builder.Configuration.GetSection("Huddle:Fhir"));
        builder.Services.AddFeedRoute<BoardRoute>();
        builder.Services.AddSingleton<HandoffService>();
        builder.Services.AddFeedRoute<InboxRoute>();
        builder.Services.AddFeedRoute<TeamHandoffsRoute>();
        builder.Services.AddHandoffUi();
        builder.Services.AddSingleton<PresenceService>();
        builder.Services.AddSingleton<TeamPresenceService>();
        builder.Services.AddFeedRoute<TeamPresenceRoute>();
        builder.Services.AddSingleton<ChatService>();
        builder.Services.AddFeedRoute<ThreadRoute>();
        builder.Services.AddFeedRoute<UnreadRoute>();
        builder.Services.AddFeedRoute<ReceiptsRoute>();
        builder.Services.AddFeedRoute<RegistryRoute>();
        builder.Services.AddFeedRoute<PatientCareRoute>();
        builder.Services.AddSingleton<PresenceHubFilter>();
        builder.Services.AddSingleton<Push.PushService>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // Framing is decided by SecurityHeaders alone (frame-ancestors from settings, X-Frame-Options
        // DENY when none): antiforgery's own SAMEORIGIN would contradict an EHR allowed to frame Huddle.
        builder.Services.Configure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(o => o.SuppressXFrameOptionsHeader = true);
        builder.Services.AddMudServices();
        builder.Services.AddCascadingAuthenticationState();
    }

    /// <summary>The request pipeline and endpoints.</summary>
    public static void UseHuddleWeb(this WebApplication app)
    {
        // First, so every response carries them, error pages and refusals included.
        app.UseSecurityHeaders();
        // A fault in Huddle is a problem document with status 500, code internal_error and the trace
        // id it was logged under, in every environment, so an API client never gets an HTML page.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A malformed request the framework refused while binding is the client's, not a fault.
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseStatusCodePages();
        // Before sign-in is even looked at: a live connection from another site's page is refused.
        app.UseOriginCheck();
        app.MapHuddleOperations();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAuditVia();
        // After sign-in, so the API's limit is per user.
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapStaticAssets();
        var api = app.MapGroup("/api").RequireAuthorization().RequireRateLimiting(HuddleRateLimits.ApiPolicy);
        api.MapMeEndpoints();
        api.MapBoardEndpoints();
        api.MapMetricsEndpoints();
        api.MapPatientHandoffEndpoints();
        api.MapRegistryEndpoints();
        Fhir.FhirEndpoints.MapFhirEndpoints(api);
        api.MapTeamPresenceEndpoints();
        api.MapHandoffEndpoints();
        api.MapChatEndpoints();
        api.MapChatReceiptEndpoints();
        api.MapAuditEndpoints();
        Admin.TeamAdminEndpoints.MapTeamAdminEndpoints(api);
        api.MapEmergencyEndpoints();
        Push.PushEndpoints.MapPushEndpoints(api);
        app.MapSmartEndpoints();
        app.MapSignOut();
        Push.PushSessionEndpoints.MapPushSession(app);
        app.MapSessionAlive();
        app.MapAuditPageDownloads();
        app.MapRegistryPageDownloads();
        if (app.Services.GetService<OidcSettings>() is not null)
        {
            app.MapOidcSignIn();
        }
        if (app.Environment.IsDevelopment())
        {
            app.MapDevSignIn();
        }
        else
        {
            // Say plainly that dev sign-in does not exist here, whatever the method.
            app.Map("/api/dev/{**rest}", () => Results.NotFound());
        }

        // A hub connection ends when its token does: an open socket is no way around sign-in expiry.
        app.MapHub<HuddleHub>(HuddleHub.Path, o => o.CloseOnAuthenticationExpiration = true);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
