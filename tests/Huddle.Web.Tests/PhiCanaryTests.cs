using System.Net.Http.Json;
using System.Text.Json;
using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Auth;
using Huddle.Web.Http;
using Microsoft.AspNetCore.SignalR.Client;

namespace Huddle.Web.Tests;

/// <summary>
/// The PHI canary (docs/security.md, "No PHI where it does not belong"): unique patient names, rooms,
/// flags, notes, handoff reasons, chat messages and an emergency reason go through every flow, good and
/// bad, by hub and HTTP, with every log category at Trace; none of them appears in any log line, and
/// none in an error answer that was not the caller's own data.
/// </summary>
public sealed class PhiCanaryTests(PhiCanaryTests.CanaryApp app) : IClassFixture<PhiCanaryTests.CanaryApp>
{
    /// <summary>One host of its own: every log line of it is searched.</summary>
    public sealed class CanaryApp : IAsyncLifetime
    {
        public HuddleCanaryAppFixture Host { get; } = new();

        public ValueTask InitializeAsync() => Host.InitializeAsync();

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    private static readonly string Run = Guid.NewGuid().ToString("N")[..6];
    private static readonly string PatientName = $"Quillon Zephyrine {Run}";
    private static readonly string Room = $"Vestry {Run}";
    private static readonly string FlagDetail = $"xanthic {Run}";
    private static readonly string Note = $"Marmoset note {Run}";
    private static readonly string Situation = $"Ptarmigan crisis {Run}";
    private static readonly string Decline = $"Quokka busy {Run}";
    private static readonly string Message = $"Narwhal plan {Run}";
    private static readonly string Edit = $"Axolotl plan {Run}";
    private static readonly string Reason = $"Pangolin emergency {Run}";
    private static readonly string Clinician = $"Dr. Okapi {Run}";

    private static string[] Canaries => [PatientName, Room, FlagDetail, Note, Situation, Decline, Message, Edit, Reason, Clinician];

    [Fact]
    public async Task No_patient_name_or_free_text_reaches_a_log_line_or_someone_elses_error()
    {
        var host = app.Host;
        var teamId = $"team-canary-{Run}";
        var (pcp, bhc, outsider, patientId) = ($"u-pcp-{Run}", $"u-bhc-{Run}", $"u-out-{Run}", $"p-{Run}");
        using var dev = host.Http();
        (await dev.PutAsJsonAsync($"api/dev/teams/{teamId}", new DevTeamRequest("Canary team",
            [new(pcp, Clinician, CareTeamRole.Pcp), new(bhc, "Bea Holt", CareTeamRole.Bhc)], [],
            [new(patientId, PatientName, Room)]), HuddleJson.Options)).EnsureSuccessStatusCode();
        (await dev.PutAsJsonAsync($"api/dev/teams/{teamId}-x", new DevTeamRequest("Elsewhere", [new(outsider, "Otto Side", CareTeamRole.Nurse)]), HuddleJson.Options)).EnsureSuccessStatusCode();

        using var http = await host.HttpAsAsync(pcp);
        async Task<string> Post(HttpClient client, string path, object body)
        {
            using var answer = await client.PostAsJsonAsync(path, body, HuddleJson.Options);
            return await answer.Content.ReadAsStringAsync();
        }

        // The board: a card with a flag, a note; the same by hub; a bad op whose argument echoes a canary.
        await Post(http, $"api/teams/{teamId}/board/addCard", new { patientId, laneId = "lane-1" });
        var board = await http.GetFromJsonAsync<JsonElement>($"api/teams/{teamId}/board");
        var cardId = board.GetProperty("cards").EnumerateArray().First().GetProperty("id").GetString();
        await Post(http, $"api/teams/{teamId}/board/setCardFlags", new { cardId, flags = new[] { new { kind = "phq9", detail = FlagDetail } } });
        await Post(http, $"api/teams/{teamId}/board/addNote", new { kind = "lookBack", text = Note });
        var errors = new List<string>
        {
            await Post(http, $"api/teams/{teamId}/board/addNote", new { kind = Note, text = Note }),
            await Post(http, $"api/teams/{teamId}/board/addNote", new { kind = "lookBack", text = Note + new string('x', 5000) }),
        };

        // A handoff: requested, declined with a reason, opened by an outsider (refused).
        var requested = await http.PostAsJsonAsync("api/handoffs", new
        {
            teamId, patientId, room = Room, target = new { userId = bhc }, priority = "urgent", reason = new { situation = Situation },
        }, HuddleJson.Options);
        requested.EnsureSuccessStatusCode();
        var handoffId = (await requested.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("handoffId").GetString();
        using var bhcHttp = await host.HttpAsAsync(bhc);
        Assert.Contains("declined", await Post(bhcHttp, $"api/handoffs/{handoffId}/decline", new { reason = Decline }), StringComparison.Ordinal);
        using var outsiderHttp = await host.HttpAsAsync(outsider);
        errors.Add(await outsiderHttp.GetStringAsync($"api/handoffs/{handoffId}").ContinueWith(t => t.IsFaulted ? "" : t.Result, TaskScheduler.Default));
        // A step whose arguments hold a field it does not take, named with free text: the answer names no such field.
        errors.Add(await Post(bhcHttp, $"api/handoffs/{handoffId}/accept", new Dictionary<string, object> { [Situation] = 1 }));
        Assert.Contains("validation_failed", errors[^1], StringComparison.Ordinal);

        // Chat, by hub: a message on the patient's thread, its edit; a message too long; the outsider's refused send.
        await using var hub = await host.HubAsAsync(pcp);
        var thread = ThreadIds.ForPatient(patientId)!;
        var sent = await hub.InvokeAsync<JsonElement>("SendMessage", thread, new { clientMessageId = "c-1", text = Message, mentions = new[] { bhc } });
        Assert.True(sent.GetProperty("ok").GetBoolean(), sent.GetRawText());
        var edited = await hub.InvokeAsync<JsonElement>("EditMessage", thread, new { clientMessageId = "c-2", seq = sent.GetProperty("seq").GetInt64(), text = Edit });
        Assert.True(edited.GetProperty("ok").GetBoolean(), edited.GetRawText());
        errors.Add((await hub.InvokeAsync<JsonElement>("SendMessage", thread, new { clientMessageId = "c-3", text = Message + new string('y', 5000) })).GetRawText());
        await using var outsiderHub = await host.HubAsAsync(outsider);
        errors.Add((await outsiderHub.InvokeAsync<JsonElement>("SendMessage", thread, new { clientMessageId = "c-4", text = Message })).GetRawText());

        // Emergency access with a reason; a malformed body with a canary in it.
        Assert.Contains(Reason, await Post(outsiderHttp, $"api/patients/{patientId}/emergency-access", new { reason = Reason }), StringComparison.Ordinal);
        using (var malformed = await outsiderHttp.PostAsync($"api/patients/{patientId}/emergency-access", new StringContent($"{{\"reason\": \"{Reason}", System.Text.Encoding.UTF8, "application/json")))
        {
            errors.Add(await malformed.Content.ReadAsStringAsync());
        }

        // The outsider now reads the patient's record (their own access): that answer may hold the name.
        (await outsiderHttp.GetAsync($"api/patients/{patientId}/handoffs")).EnsureSuccessStatusCode();

        var leaks = Canaries.SelectMany(c => host.Logs.Containing(c).Select(line => $"log has '{c}': {Cut(line)}")).ToList();
        // Errors answer with codes and the caller's own words at most; the outsider's refusals name nothing of the patient.
        leaks.AddRange(errors.Skip(2).SelectMany(e => new[] { PatientName, Situation, Decline, Room }.Where(c => e.Contains(c, StringComparison.Ordinal)).Select(c => $"error has '{c}': {Cut(e)}")));
        // Each leak once per kind of line: the category and the start of its message.
        var kinds = leaks.Select(l => l[..Math.Min(l.Length, l.IndexOf(": ", l.IndexOf(": ", StringComparison.Ordinal) + 2, StringComparison.Ordinal) is > 0 and var end ? end + 60 : l.Length)]).Distinct().Take(40);
        Assert.True(leaks.Count == 0, string.Join(Environment.NewLine, kinds));
        Assert.True(host.Logs.Lines.Count > 200, $"only {host.Logs.Lines.Count} log lines were captured: the search would prove nothing");
    }

    private static string Cut(string line) => line.Length <= 400 ? line : line[..400] + "…";
}
