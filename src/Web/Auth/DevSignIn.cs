using System.Collections.Immutable;
using Huddle.Web.Http;
using Huddle.Web.Boards;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Common;
using Huddle.Contracts.Patients;
using Huddle.Contracts.Users;

namespace Huddle.Web.Auth;

/// <summary>
/// Development-only sign-in: pick any known identity, no password. These endpoints are mapped only
/// when the environment is Development, so anywhere else they answer 404.
/// </summary>
public static partial class DevSignIn
{
    public static void MapDevSignIn(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var token = app.Services.GetRequiredService<DevToken>();
        if (token.Generated)
        {
            // Development only: the developer's own console. Set Huddle:Dev:Token to choose it.
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DevSignIn));
            app.Lifetime.ApplicationStarted.Register(() => LogGenerated(logger, DevToken.Header, token.Value, DevToken.Key));
        }

        // The API needs the dev token; the sign-in page's form post (the README's way in) does not.
        var api = app.MapGroup("/api/dev").AddEndpointFilter(async (context, next) =>
            context.HttpContext.RequestServices.GetRequiredService<DevToken>().Matches(context.HttpContext.Request.Headers[DevToken.Header])
                ? await next(context)
                : ApiErrors.Problem(new Contracts.Common.HuddleError(Contracts.Common.ErrorCodes.Unauthorized,
                    $"The dev API needs the dev token in the header {DevToken.Header}: the value of {DevToken.Key}, or the one the console showed at start.")));
        api.MapPost("/token", async (DevTokenRequest request, IGrainFactory grains) =>
            Contracts.Common.Ids.IsValid(request.UserId) && await grains.Grain<IUserGrain>(request.UserId).GetAsync() is { } user
                ? Results.SignIn(Principal(user, BearerTokenDefaults.AuthenticationScheme), authenticationScheme: BearerTokenDefaults.AuthenticationScheme)
                : ApiErrors.Problem(Contracts.Common.HuddleError.NotFound("User", request.UserId)));

        app.MapPost("/dev/signin", async ([FromForm] string userId, [FromForm] string? returnUrl, IGrainFactory grains) =>
        {
            if (!Contracts.Common.Ids.IsValid(userId) || await grains.Grain<IUserGrain>(userId).GetAsync() is not { } user)
            {
                return Results.Redirect("/signin?unknown=1");
            }

            // "/" is where anyone lands who opened the app's address (the README's way in): it names no
            // page of its own, so a room display goes on to its wall rather than a list of teams.
            var target = LocalPathOrNull(returnUrl) is { Length: > 1 } local ? local : Landing(user);
            return Results.SignIn(Principal(user, CookieAuthenticationDefaults.AuthenticationScheme),
                new() { RedirectUri = target, IsPersistent = true }, CookieAuthenticationDefaults.AuthenticationScheme);
        });

        api.MapPut("/teams/{teamId}", async (string teamId, DevTeamRequest request, IGrainFactory grains) =>
        {
            var ids = new[] { teamId }.Concat(request.Members.Select(m => m.UserId)).Concat(request.DisplayIds ?? []).Concat((request.Patients ?? []).Select(p => p.PatientId));
            if (ids.FirstOrDefault(id => !Contracts.Common.Ids.IsValid(id)) is { } bad)
            {
                return ApiErrors.Problem(Contracts.Common.HuddleError.Invalid($"'{bad}' is not a valid id: 1-{Contracts.Common.Ids.MaxLength} letters, digits, '-', '_' or '.'."));
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(request.TimeZoneId ?? "UTC", out _))
            {
                return ApiErrors.Problem(Contracts.Common.HuddleError.Invalid($"Time zone '{request.TimeZoneId}' is not known on this server."));
            }

            var displays = request.DisplayIds ?? [];
            var patients = request.Patients ?? [];
            var profile = new CareTeamProfile(teamId, request.Name, CareTeamStatus.Active, request.Members, displays, request.TimeZoneId ?? "UTC");
            foreach (var member in request.Members)
            {
                var existing = await grains.Grain<IUserGrain>(member.UserId).GetAsync();
                var teams = (existing?.TeamIds ?? []).Remove(teamId).Add(teamId);
                await grains.Grain<IUserGrain>(member.UserId).SetAsync(new UserProfile(member.UserId, member.DisplayName, UserKind.Clinician, member.Role, teams));
            }

            foreach (var displayId in displays)
            {
                await grains.Grain<IUserGrain>(displayId).SetAsync(new UserProfile(displayId, $"{request.Name} room screen", UserKind.RoomDisplay, null, [teamId]));
            }

            foreach (var patient in patients)
            {
                await grains.Grain<IPatientGrain>(patient.PatientId).SetAsync(new PatientProfile(
                    patient.PatientId, patient.DisplayName, PatientProfile.InitialsOf(patient.DisplayName), patient.Room, [], [teamId]));
            }

            await grains.Grain<ICareTeamGrain>(teamId).SetProfileAsync(profile);
            return Results.NoContent();
        });
    }

    /// <summary>Where a user lands after sign-in: a room display goes straight to its team's screen.</summary>
    public static string Landing(UserProfile user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.Kind == UserKind.RoomDisplay && user.TeamIds.Length > 0 ? $"/teams/{user.TeamIds[0]}/screen"
            : user.Kind == UserKind.Administrator ? "/admin/audit"
            : "/";
    }

    /// <summary><paramref name="returnUrl"/> when it is a path on this site (never another site's address), else null.</summary>
    public static string? LocalPathOrNull(string? returnUrl) =>
        returnUrl is { Length: > 0 } && Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) && returnUrl.StartsWith('/')
            && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : null;

    private static System.Security.Claims.ClaimsPrincipal Principal(UserProfile user, string scheme) =>
        HuddleClaims.Create(user.UserId, user.DisplayName, user.Kind.ToString(), scheme);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The dev API (/api/dev/*, Development only) answers requests with the header {Header}: {Token} (made at this start; set {Key} to choose one)")]
    private static partial void LogGenerated(ILogger logger, string header, string token, string key);
}
