using System.Net.Http.Headers;
using System.Net.Http.Json;
using Huddle.Silo.Hosting;
using Huddle.Web;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;

namespace Huddle.Testing;

/// <summary>
/// The real Huddle app (co-hosted silo, in-memory state, demo data, dev sign-in) on a free loopback
/// port, started once per test assembly. Tests that change a board create their own team, so they
/// never depend on each other's order.
/// </summary>
public class HuddleAppFixture : IAsyncLifetime
{
    private int _teams;

    public WebApplication App { get; private set; } = default!;

    /// <summary>The grain calls the co-hosted silo receives, for the keys a test watches (none in client mode).</summary>
    public GrainCallLog GrainCalls { get; } = new();

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>The dev API's token on this host (<see cref="Http"/> sends it).</summary>
    public string DevToken { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    /// <summary>The environment the app runs in; Development unless a subclass says otherwise.</summary>
    protected virtual string Environment => "Development";

    /// <summary>Orleans settings for the app; a subclass may point it at a separate silo instead.</summary>
    protected virtual Dictionary<string, string?> OrleansSettings() => new()
    {
        ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Huddle:Orleans:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Huddle:Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
        // The tests' push service listens on plain http on loopback, which production refuses.
        ["Huddle:Push:AllowPrivateEndpoints"] = "true",
    };

    /// <summary>
    /// The rate limits of the suite's shared hosts: a handful of test users make thousands of calls at
    /// machine speed there, which the production defaults rightly refuse. The limits themselves are
    /// tested with the defaults on a host of their own (<see cref="HuddleRateLimitedAppFixture"/>).
    /// A subclass's settings win.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SuiteRateLimits = new Dictionary<string, string>
    {
        ["Huddle:Security:RateLimits:HubCallsPerConnection"] = "1000000",
        ["Huddle:Security:RateLimits:HubCallsPerUser"] = "1000000",
        ["Huddle:Security:RateLimits:ApiRequestsPerUser"] = "1000000",
    };

    /// <summary>Whether this host runs with <see cref="SuiteRateLimits"/> (all but the rate limits' own tests).</summary>
    protected virtual bool LiftsRateLimits => true;

    /// <summary>Runs before the app starts (a subclass starts a separate silo here).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    public async ValueTask InitializeAsync()
    {
        await BeforeStartAsync();
        var settings = OrleansSettings();
        foreach (var (key, value) in LiftsRateLimits ? SuiteRateLimits : new Dictionary<string, string>())
        {
            settings.TryAdd(key, value);
        }

        // The endpoint of Huddle's appsettings.json (its name is only a name: an https URL there serves https).
        settings["Kestrel:Endpoints:Http:Url"] = ListenUrl;
        settings[Huddle.Web.Auth.DevToken.Key] = DevToken;
        settings["Logging:LogLevel:Default"] = "Warning";
        App = HuddleApp.Build(["--environment", Environment], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton<IIncomingGrainCallFilter>(GrainCalls);
            ConfigureServices(builder.Services);
            ConfigureBuilder(builder);
        });
        await App.StartAsync();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        AfterStart();
    }

    /// <summary>Where the app listens: plain http on a free loopback port unless a subclass serves https.</summary>
    protected virtual string ListenUrl => "http://127.0.0.1:0";

    /// <summary>Adjusts the host before it is built (a subclass gives Kestrel its certificate here).</summary>
    protected virtual void ConfigureBuilder(WebApplicationBuilder builder)
    {
    }

    /// <summary>The handler of <see cref="Http"/>'s clients (a subclass serving https trusts its certificate).</summary>
    public virtual HttpMessageHandler CreateHandler() => new HttpClientHandler();

    /// <summary>Runs once the app listens at <see cref="BaseAddress"/>.</summary>
    protected virtual void AfterStart()
    {
    }

    /// <summary>Adds this host's services before it is built (a subclass adds a log capture here).</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    public virtual async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>An HTTP client for the app, signed in as nobody; it carries the dev token, which only the dev API reads.</summary>
    public HttpClient Http()
    {
        var http = new HttpClient(CreateHandler()) { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Add(Huddle.Web.Auth.DevToken.Header, DevToken);
        return http;
    }

    /// <summary>A dev bearer token for <paramref name="userId"/>.</summary>
    public async Task<string> TokenAsync(string userId)
    {
        using var http = Http();
        using var response = await http.PostAsJsonAsync("api/dev/token", new { userId });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, object>>();
        return body!["accessToken"].ToString()!;
    }

    /// <summary>An HTTP client that sends <paramref name="userId"/>'s bearer token.</summary>
    public async Task<HttpClient> HttpAsAsync(string userId)
    {
        var http = Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(userId));
        return http;
    }

    /// <summary>A started hub connection for <paramref name="userId"/>, as any .NET client would make it.</summary>
    public async Task<HubConnection> HubAsAsync(string userId)
    {
        var token = await TokenAsync(userId);
        var connection = HubConnections.To(BaseAddress, token);
        await connection.StartAsync();
        return connection;
    }

    /// <summary>A new administrator (their profile stored straight in the co-hosted silo: the dev API makes clinicians and displays only).</summary>
    public async Task<string> AdministratorAsync()
    {
        var id = $"a-{Guid.NewGuid():N}"[..16];
        await App.Services.GetRequiredService<IGrainFactory>().GetGrain<Contracts.Users.IUserGrain>(id)
            .SetAsync(new Contracts.Users.UserProfile(id, "Ada Auditor", Contracts.Users.UserKind.Administrator, null, []));
        return id;
    }

    /// <summary>Creates or replaces team <paramref name="teamId"/> through the dev API (<c>PUT api/dev/teams/{id}</c>).</summary>
    public async Task PutTeamAsync(string teamId, DevTeamRequest request)
    {
        using var http = Http();
        (await http.PutAsJsonAsync($"api/dev/teams/{teamId}", request, HuddleJson.Options)).EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Creates a fresh team through the dev API: two clinicians (a PCP and a BHC), a room display,
    /// an outsider on no team, and three patients. Returns the ids.
    /// </summary>
    public async Task<TestTeam> CreateTeamAsync()
    {
        var n = Interlocked.Increment(ref _teams);
        var team = new TestTeam($"team-test-{n}-{Guid.NewGuid():N}"[..24], $"u-pcp-{n}", $"u-bhc-{n}", $"d-room-{n}", $"u-out-{n}",
            [$"p-{n}-a", $"p-{n}-b", $"p-{n}-c"]);
        var request = new DevTeamRequest($"Test team {n}",
            [new(team.Pcp, "Dr. Pat Carter", Contracts.CareTeams.CareTeamRole.Pcp), new(team.Bhc, "Bea Holt", Contracts.CareTeams.CareTeamRole.Bhc)],
            [team.Display],
            [new(team.Patients[0], "Alma Reyes", "Exam 1"), new(team.Patients[1], "Boris Ng", "Exam 2"), new(team.Patients[2], "Chloe Park", null)]);
        await PutTeamAsync(team.TeamId, request);
        // The outsider is a real, signed-in user who belongs to another team only.
        await PutTeamAsync($"{team.TeamId}-x", new DevTeamRequest("Elsewhere", [new(team.Outsider, "Otto Side", Contracts.CareTeams.CareTeamRole.Nurse)]));
        return team;
    }
}

/// <summary>Ids of a team made by <see cref="HuddleAppFixture.CreateTeamAsync"/>.</summary>
public sealed record TestTeam(string TeamId, string Pcp, string Bhc, string Display, string Outsider, string[] Patients);

/// <summary>The app in the Production environment: no dev sign-in.</summary>
public sealed class HuddleProductionAppFixture : HuddleAppFixture
{
    /// <summary>The EHR whose portal may frame Huddle here (<c>Huddle:Security:FrameAncestors</c>).</summary>
    public const string EhrOrigin = "https://ehr.example.org";

    /// <summary>The deployment's first administrator (<c>Huddle:Administration:BootstrapUserId</c>).</summary>
    public const string BootstrapAdministrator = "a-first";

    protected override string Environment => "Production";

    protected override Dictionary<string, string?> OrleansSettings()
    {
        var settings = base.OrleansSettings();
        settings["Huddle:Security:FrameAncestors:0"] = EhrOrigin + ":443";
        settings["Huddle:Administration:BootstrapUserId"] = BootstrapAdministrator;
        settings["Huddle:Administration:BootstrapName"] = "First Administrator";
        return settings;
    }
}

/// <summary>The app with the production rate limits (the defaults), for the tests of the limits themselves.</summary>
public sealed class HuddleRateLimitedAppFixture : HuddleAppFixture
{
    protected override bool LiftsRateLimits => false;
}

/// <summary>
/// The web app as an Orleans client of a separate silo (the standalone silo's setup, with demo
/// data), both on loopback: the deployment where grains and web hosts run apart.
/// </summary>
public sealed class HuddleClientModeAppFixture : HuddleAppFixture
{
    private readonly int _gatewayPort = FreePort.Next();
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}";
    private Microsoft.Extensions.Hosting.IHost? _silo;

    protected override async Task BeforeStartAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Huddle:Orleans:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Huddle:Orleans:ClusterId"] = _clusterId,
            ["Huddle:Demo:Seed"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.UseOrleans(silo => silo.AddHuddleSilo(builder.Configuration));
        _silo = builder.Build();
        await _silo.StartAsync();
    }

    protected override Dictionary<string, string?> OrleansSettings() => new()
    {
        ["Huddle:Orleans:Mode"] = "Client",
        ["Huddle:Orleans:GatewayPort"] = _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Huddle:Orleans:ClusterId"] = _clusterId,
    };

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
    }
}

/// <summary>One member of a multi-silo cluster: the app with the Orleans settings it is given.</summary>
public sealed class HuddleClusterMemberApp(Dictionary<string, string?> orleansSettings) : HuddleAppFixture
{
    protected override Dictionary<string, string?> OrleansSettings() => new(orleansSettings);
}
