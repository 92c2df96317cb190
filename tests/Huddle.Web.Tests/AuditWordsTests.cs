using Huddle.Contracts.Audit;
using Huddle.Contracts.CareTeams;
using Huddle.Silo.Hosting;
using Huddle.Web.Audit;

namespace Huddle.Web.Tests;

/// <summary>The audit page's words for what a record did (<see cref="AuditWords"/>).</summary>
public sealed class AuditWordsTests
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal) { ["u-okafor"] = "B. Okafor", ["d-maple"] = "Maple team room" };

    private static string Said(string action, string? reference) =>
        AuditWords.Of(new AuditRecord(DateTimeOffset.UnixEpoch, "a-ward", action, "careteam", "team-maple", null, AuditOutcome.Allowed, null, "http", "r-1", reference),
            id => Names.GetValueOrDefault(id) ?? id);

    [Fact]
    public void Every_action_the_silo_can_record_has_words()
    {
        // The rule of the silo's audit filter: a Huddle contract's grain method taking userId or actorId.
        // A method is declared on a grain interface or on one a grain interface extends (IAuditLog).
        var contracts = typeof(ICareTeamGrain).Assembly;
        var audited = contracts.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t))
            .SelectMany(t => t.GetInterfaces().Where(i => i.Assembly == contracts).Append(t))
            .Distinct()
            .SelectMany(t => t.GetMethods())
            .Where(m => AuditCallFilter.UserArgument(m) >= 0)
            .Select(AuditCallFilter.ActionOf)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("Thread.Send", audited);
        Assert.Contains("CareTeam.Administer", audited);
        var missing = audited.Where(action => !AuditWords.Actions.ContainsKey(action)).ToList();
        Assert.True(missing.Count == 0, $"Audited actions without words: {string.Join(", ", missing)}");
        // And no words for an action that no longer exists (the web host's own records aside).
        var stale = AuditWords.Actions.Keys.Except(audited).Except(["Presence.Get", "Smart.Launch"]).ToList();
        Assert.True(stale.Count == 0, $"Words for actions nothing records: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Every_kind_of_record_the_silo_can_record_has_words()
    {
        // A grain whose interface has an audited method is a kind of record: its Orleans type name is the
        // class name less "Grain", in lower case (CareTeamGrain → careteam).
        var contracts = typeof(ICareTeamGrain).Assembly;
        var kinds = typeof(Huddle.Grains.Common.StorageNames).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(Grain).IsAssignableFrom(t)
                && t.GetInterfaces().Where(i => i.Assembly == contracts).SelectMany(i => i.GetMethods()).Any(m => AuditCallFilter.UserArgument(m) >= 0))
            .Select(t => t.Name[..^"Grain".Length].ToLowerInvariant())
            .ToList();
        Assert.Contains("careteam", kinds);
        Assert.Contains("threadlist", kinds);
        var missing = kinds.Where(k => !AuditWords.Kinds.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"Kinds of record without words: {string.Join(", ", missing)}");
        Assert.Equal("chat list", AuditWords.Kind("threadlist"));
        Assert.Equal("somethingnew", AuditWords.Kind("somethingnew"));
    }

    [Theory]
    [InlineData("setMember/u-okafor/bhc", "Put B. Okafor on the team as behavioral health consultant")]
    [InlineData("setMember/u-okafor/consultingPsychiatrist", "Put B. Okafor on the team as consulting psychiatrist")]
    [InlineData("removeMember/u-okafor", "Took B. Okafor off the team")]
    [InlineData("addDisplay/d-maple", "Added the room display Maple team room to the team")]
    [InlineData("removeDisplay/d-maple", "Took the room display Maple team room off the team")]
    [InlineData("settings/created", "Created the team")]
    [InlineData("settings/unchanged", "Saved the team's settings unchanged")]
    [InlineData("settings/name", "Changed the team's name")]
    [InlineData("settings/name,timeZone,status=suspended", "Changed the team's name, time zone and status (now suspended)")]
    public void A_team_change_says_what_changed_and_for_whom(string reference, string words) =>
        Assert.Equal(words, Said("CareTeam.Administer", reference));

    [Theory]
    [InlineData("created/clinician", "Created the user as a clinician")]
    [InlineData("created/roomDisplay", "Created the user as a room display")]
    [InlineData("changed/name", "Changed the user's name")]
    [InlineData("changed/name,kind=administrator", "Changed the user's name and kind (now an administrator)")]
    [InlineData("changed/nothing", "Saved the user unchanged")]
    public void A_user_change_says_what_changed(string reference, string words) =>
        Assert.Equal(words, Said("User.Administer", reference));

    [Theory]
    [InlineData("CareTeam.Execute", "moveCard", "Changed a board: move card")]
    [InlineData("Patient.Care", "recordMeasurement", "Changed a patient's measurement-based care: record measurement")]
    [InlineData("EmergencyAccess.Grant", "3", "Took emergency access #3")]
    [InlineData("Feed.Open", null, "Opened a live view")]
    [InlineData("CareTeam.Administer", null, "Changed a team")]
    // The web host's refusal of an endpoint keeps its method and route; an unknown action its code name.
    [InlineData("GET /api/admin/audit", null, "Asked for /api/admin/audit")]
    [InlineData("Something.New", null, "Something.New")]
    public void Other_actions_say_their_words_and_their_detail(string action, string? reference, string words) =>
        Assert.Equal(words, Said(action, reference));

    [Fact]
    public void The_user_a_team_change_names_is_looked_up_too()
    {
        static AuditRecord Of(string action, string? reference) => new(DateTimeOffset.UnixEpoch, "a-ward", action, "careteam", "t", null, AuditOutcome.Allowed, null, "http", "r", reference);
        Assert.Equal("u-okafor", AuditWords.UserIn(Of("CareTeam.Administer", "setMember/u-okafor/bhc")));
        Assert.Equal("d-maple", AuditWords.UserIn(Of("CareTeam.Administer", "removeDisplay/d-maple")));
        Assert.Null(AuditWords.UserIn(Of("CareTeam.Administer", "settings/name")));
        Assert.Null(AuditWords.UserIn(Of("CareTeam.Execute", "moveCard")));
    }
}
