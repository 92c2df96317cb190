using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Huddle.Contracts.Chat;
using Huddle.Testing;
using Huddle.Web.Http;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>
/// Every hub method and every API endpoint, found by reflection over <see cref="HuddleHub"/> and the
/// app's endpoint data source, has a case here: a method or endpoint added without one fails the
/// suite. Each case is called by a signed-in clinician of another team (the outsider) with the ids of a
/// team's board, patient, threads and handoff: the foreign ones must be refused (<c>forbidden</c>, or
/// <c>not_found</c> where the thing is only reachable by its members), those scoped to the caller must
/// answer with nothing of the team's, and afterwards nothing of the team's has changed and its own
/// members' live watches still work (docs/security.md, "Authorization on every call").
/// </summary>
public sealed class AuthorizationTableTests(HuddleAppFixture app)
{
    /// <summary>What a case's outsider must get.</summary>
    private enum Expect
    {
        /// <summary>Refused: the call names the team's things.</summary>
        Refused,

        /// <summary>Served, but only the caller's own (their inbox, their presence): nothing of the team's in the answer.</summary>
        Own,

        /// <summary>No answer to check (an Unsubscribe): it must not disturb the team's own watchers.</summary>
        NoAnswer,

        /// <summary>
        /// Refused as bad input: emergency access, which any clinician may use with a reason, asked
        /// without one (EmergencyAccessTests has the rest).
        /// </summary>
        Invalid,
    }

    /// <summary>The team's things a case names.</summary>
    private sealed record Scene(TestTeam Team, string HandoffId, string PatientThread, string TeamThread, string DirectThread, long Seq);

    private sealed record HubCase(Expect Expect, Func<Scene, object?[]> Args);

    private sealed record HttpCase(Expect Expect, Func<Scene, string> Path, Func<Scene, object>? Body = null);

    private static HubCase Refused(Func<Scene, object?[]> args) => new(Expect.Refused, args);

    private static HubCase Own(Func<Scene, object?[]> args) => new(Expect.Own, args);

    /// <summary>A browser's subscription keys, well formed (the endpoint is never sent to: the outsider is pinged by nobody).</summary>
    private static readonly object PushKeys = new
    {
        p256dh = DevicePublicKey(),
        auth = System.Buffers.Text.Base64Url.EncodeToString(new byte[16]),
    };

    private static string DevicePublicKey()
    {
        using var key = System.Security.Cryptography.ECDiffieHellman.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        return System.Buffers.Text.Base64Url.EncodeToString([0x04, .. q.X!, .. q.Y!]);
    }

    private static readonly Dictionary<string, HubCase> HubCases = new(StringComparer.Ordinal)
    {
        // Boards
        ["SubscribeBoard"] = Refused(s => [s.Team.TeamId]),
        ["ResumeBoard"] = Refused(s => [s.Team.TeamId, 0L, 0L]),
        ["UnsubscribeBoard"] = new(Expect.NoAnswer, s => [s.Team.TeamId]),
        ["Execute"] = Refused(s => [s.Team.TeamId, "addActionItem", JsonDocument.Parse("""{"title":"Outsider item","opId":"o-1"}""").RootElement]),
        // Handoffs
        ["RequestHandoff"] = Refused(s => [new { teamId = s.Team.TeamId, patientId = s.Team.Patients[1], room = "Exam 2", target = new { userId = s.Team.Bhc }, priority = "urgent", reason = new { situation = "Outsider asks" } }]),
        ["PrepareHandoff"] = Own(_ => ["op-outsider-1"]),
        ["AcceptHandoff"] = Refused(s => [s.HandoffId, 5, "op-o-accept"]),
        ["DeclineHandoff"] = Refused(s => [s.HandoffId, "busy", "op-o-decline"]),
        ["JoinHandoff"] = Refused(s => [s.HandoffId, "op-o-join"]),
        ["CompleteHandoff"] = Refused(s => [s.HandoffId, "op-o-complete"]),
        ["CancelHandoff"] = Refused(s => [s.HandoffId, "outsider", "op-o-cancel"]),
        ["ScheduleReferral"] = Refused(s => [s.HandoffId, null, "op-o-schedule"]),
        ["AttendReferral"] = Refused(s => [s.HandoffId, "op-o-attend"]),
        ["CloseReferral"] = Refused(s => [s.HandoffId, "outsider", "op-o-close"]),
        ["OpenHandoff"] = Refused(s => [s.HandoffId]),
        ["SubscribeInbox"] = Own(_ => []),
        ["ResumeInbox"] = Own(_ => [0L, 0L]),
        ["SubscribeTeamHandoffs"] = Refused(s => [s.Team.TeamId]),
        ["ResumeTeamHandoffs"] = Refused(s => [s.Team.TeamId, 0L, 0L]),
        ["UnsubscribeTeamHandoffs"] = new(Expect.NoAnswer, s => [s.Team.TeamId]),
        // Presence
        ["SetPresence"] = Own(_ => ["busy"]),
        ["Heartbeat"] = Own(_ => []),
        ["GetPresence"] = Refused(s => [s.Team.Pcp]),
        ["SubscribeTeamPresence"] = Refused(s => [s.Team.TeamId]),
        ["ResumeTeamPresence"] = Refused(s => [s.Team.TeamId, 0L, 0L]),
        ["UnsubscribeTeamPresence"] = new(Expect.NoAnswer, s => [s.Team.TeamId]),
        // Registry
        ["SubscribeRegistry"] = Refused(s => [s.Team.TeamId]),
        ["ResumeRegistry"] = Refused(s => [s.Team.TeamId, 0L, 0L]),
        ["UnsubscribeRegistry"] = new(Expect.NoAnswer, s => [s.Team.TeamId]),
        ["SubscribePatientCare"] = Refused(s => [s.Team.Patients[0]]),
        ["ResumePatientCare"] = Refused(s => [s.Team.Patients[0], 0L, 0L]),
        ["UnsubscribePatientCare"] = new(Expect.NoAnswer, s => [s.Team.Patients[0]]),
        // Chat
        ["SubscribeThread"] = Refused(s => [s.PatientThread]),
        ["ResumeThread"] = Refused(s => [s.TeamThread, 0L, 0L]),
        ["UnsubscribeThread"] = new(Expect.NoAnswer, s => [s.PatientThread]),
        ["SendMessage"] = Refused(s => [s.PatientThread, new { clientMessageId = "c-outsider-1", text = "Outsider writes" }]),
        ["EditMessage"] = Refused(s => [s.PatientThread, new { clientMessageId = "c-outsider-2", seq = s.Seq, text = "Outsider edits" }]),
        ["DeleteMessage"] = Refused(s => [s.PatientThread, new { clientMessageId = "c-outsider-3", seq = s.Seq }]),
        ["ReadMessageEdits"] = Refused(s => [s.PatientThread, s.Seq]),
        ["AcknowledgeMessage"] = Refused(s => [s.PatientThread, s.Seq, "c-outsider-4"]),
        ["ReadThreadBefore"] = Refused(s => [s.DirectThread, 100L, 10]),
        ["StartDirectThread"] = Own(s => [s.Team.Pcp]),
        ["ListThreads"] = Own(_ => []),
        ["ReportDelivered"] = Refused(s => [s.PatientThread, s.Seq]),
        ["ReportRead"] = Refused(s => [s.TeamThread, 1L]),
        ["SubscribeUnread"] = Own(_ => []),
        ["ResumeUnread"] = Own(_ => [0L, 0L]),
        ["UnsubscribeUnread"] = new(Expect.NoAnswer, _ => []),
        ["SubscribeReceipts"] = Refused(s => [s.PatientThread]),
        ["ResumeReceipts"] = Refused(s => [s.PatientThread, 0L, 0L]),
        ["UnsubscribeReceipts"] = new(Expect.NoAnswer, s => [s.PatientThread]),
        // Push devices: one's own only (PushTests has the rest)
        ["GetPushKey"] = Own(_ => []),
        ["RegisterPushDevice"] = Own(_ => [new { deviceId = "dev-outsider-hub", endpoint = "https://push.example.invalid/send/hub", keys = PushKeys }]),
        ["ListPushDevices"] = Own(_ => []),
        ["RemovePushDevice"] = Own(_ => ["dev-outsider-hub"]),
    };

    private static readonly Dictionary<string, HttpCase> HttpCases = new(StringComparer.Ordinal)
    {
        ["GET /api/me"] = new(Expect.Own, _ => "api/me"),
        ["GET /api/teams/{teamId}/board"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/board"),
        ["GET /api/teams/{teamId}/board/changes"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/board/changes?since=0"),
        ["GET /api/teams/{teamId}/patients"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/patients"),
        ["GET /api/teams/{teamId}/board/history"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/board/history?from=2026-11-01&to=2026-11-30"),
        ["GET /api/board-ops"] = new(Expect.Own, _ => "api/board-ops"),
        ["POST /api/teams/{teamId}/board/{op}"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/board/addActionItem", _ => new { title = "Outsider item", opId = "o-http-1" }),
        ["GET /api/teams/{teamId}/handoff-metrics"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/handoff-metrics"),
        ["GET /api/patients/{patientId}/handoffs"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/handoffs"),
        ["GET /api/teams/{teamId}/presence"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/presence"),
        ["POST /api/handoffs"] = new(Expect.Refused, _ => "api/handoffs", s => new { teamId = s.Team.TeamId, patientId = s.Team.Patients[1], room = "Exam 2", target = new { userId = s.Team.Bhc }, priority = "urgent", reason = new { situation = "Outsider asks" } }),
        ["GET /api/handoffs/{handoffId}"] = new(Expect.Refused, s => $"api/handoffs/{s.HandoffId}"),
        ["POST /api/handoffs/{handoffId}/{op}"] = new(Expect.Refused, s => $"api/handoffs/{s.HandoffId}/accept", _ => new { etaMinutes = 5 }),
        ["GET /api/handoff-ops"] = new(Expect.Own, _ => "api/handoff-ops"),
        ["GET /api/inbox"] = new(Expect.Own, _ => "api/inbox"),
        ["GET /api/teams/{teamId}/handoffs"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/handoffs"),
        ["PUT /api/teams/{teamId}/handoff-policy"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/handoff-policy", _ => new { statSeconds = 60 }),
        ["GET /api/presence/{userId}"] = new(Expect.Refused, s => $"api/presence/{s.Team.Pcp}"),
        ["PUT /api/presence"] = new(Expect.Own, _ => "api/presence", _ => new { status = "available" }),
        ["GET /api/threads"] = new(Expect.Own, _ => "api/threads"),
        ["GET /api/threads/{threadId}"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}"),
        ["GET /api/threads/{threadId}/messages"] = new(Expect.Refused, s => $"api/threads/{s.TeamThread}/messages?before=100"),
        ["POST /api/threads/{threadId}/messages"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/messages", _ => new { clientMessageId = "c-outsider-h1", text = "Outsider writes" }),
        ["POST /api/threads/{threadId}/messages/{seq:long}/ack"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/messages/{s.Seq}/ack", _ => new { clientMessageId = "c-outsider-h2" }),
        ["POST /api/threads/direct"] = new(Expect.Own, _ => "api/threads/direct", s => new { userId = s.Team.Pcp }),
        ["POST /api/threads/{threadId}/edits"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/edits", s => new { clientMessageId = "c-outsider-h3", seq = s.Seq, text = "Outsider edits" }),
        ["POST /api/threads/{threadId}/deletes"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/deletes", s => new { clientMessageId = "c-outsider-h4", seq = s.Seq }),
        ["GET /api/threads/{threadId}/messages/{seq:long}/edits"] = new(Expect.Refused, s => $"api/threads/{s.DirectThread}/messages/1/edits"),
        ["POST /api/threads/{threadId}/cursors"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/cursors", s => new { delivered = s.Seq, read = s.Seq }),
        ["GET /api/threads/{threadId}/receipts"] = new(Expect.Refused, s => $"api/threads/{s.PatientThread}/receipts"),
        ["GET /api/unread"] = new(Expect.Own, _ => "api/unread"),
        ["GET /api/push/key"] = new(Expect.Own, _ => "api/push/key"),
        ["PUT /api/push/devices/{deviceId}"] = new(Expect.Own, _ => "api/push/devices/dev-outsider-http", _ => new { endpoint = "https://push.example.invalid/send/http", keys = PushKeys }),
        ["PATCH /api/push/devices/{deviceId}"] = new(Expect.Own, _ => "api/push/devices/dev-outsider-http", _ => new { name = "Otto's phone" }),
        ["GET /api/push/devices"] = new(Expect.Own, _ => "api/push/devices"),
        ["DELETE /api/push/devices/{deviceId}"] = new(Expect.Own, _ => "api/push/devices/dev-outsider-http"),
        ["GET /api/patients/{patientId}/care"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/care"),
        ["GET /api/patients/{patientId}/measurements"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/measurements"),
        ["POST /api/patients/{patientId}/measurements"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/measurements", _ => new { instrument = "phq9", items = new[] { 0, 0, 0, 0, 0, 0, 0, 0, 1 } }),
        ["PUT /api/patients/{patientId}/enrolment"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/enrolment", s => new { teamId = s.Team.TeamId, careManagerId = s.Team.Bhc }),
        ["POST /api/patients/{patientId}/discharge"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/discharge", _ => new { }),
        ["POST /api/patients/{patientId}/contacts"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/contacts", _ => new { kind = "phone", minutes = 30 }),
        ["POST /api/patients/{patientId}/reviews"] = new(Expect.Refused, s => $"api/patients/{s.Team.Patients[0]}/reviews", _ => new { recommendation = "Outsider recommends" }),
        ["GET /api/teams/{teamId}/registry"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/registry"),
        ["GET /api/teams/{teamId}/registry-metrics"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/registry-metrics"),
        ["GET /api/teams/{teamId}/registry.csv"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/registry.csv"),
        ["GET /api/teams/{teamId}/registry-metrics.csv"] = new(Expect.Refused, s => $"api/teams/{s.Team.TeamId}/registry-metrics.csv"),
        ["GET /api/fhir/patients/{patientId}"] = new(Expect.Refused, s => $"api/fhir/patients/{s.Team.Patients[0]}"),
        ["GET /api/fhir/teams/{teamId}"] = new(Expect.Refused, s => $"api/fhir/teams/{s.Team.TeamId}"),
        ["POST /api/patients/{patientId}/emergency-access"] = new(Expect.Invalid, s => $"api/patients/{s.Team.Patients[0]}/emergency-access", _ => new { reason = "" }),
        // Administrators only (AuditTrailTests has the administrator's side)
        ["GET /api/admin/emergency-access"] = new(Expect.Refused, s => $"api/admin/emergency-access?patientId={s.Team.Patients[0]}"),
        ["GET /api/admin/audit"] = new(Expect.Refused, s => $"api/admin/audit?patientId={s.Team.Patients[0]}"),
        ["GET /api/admin/audit/fhir"] = new(Expect.Refused, s => $"api/admin/audit/fhir?patientId={s.Team.Patients[0]}"),
        ["GET /api/admin/audit.csv"] = new(Expect.Refused, s => $"api/admin/audit.csv?patientId={s.Team.Patients[0]}"),
        ["POST /api/admin/emergency-access/{patientId}/{number:long}/review"] = new(Expect.Refused, s => $"api/admin/emergency-access/{s.Team.Patients[0]}/1/review", _ => new { outcome = "appropriate" }),
        ["GET /api/admin/patients/{patientId}/access"] = new(Expect.Refused, s => $"api/admin/patients/{s.Team.Patients[0]}/access"),
        // (AdminRosterTests and TeamAdminApiTests have the administrator's side)
        ["GET /api/admin/teams"] = new(Expect.Refused, _ => "api/admin/teams"),
        ["GET /api/admin/teams/{teamId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}"),
        ["PUT /api/admin/teams/{teamId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}", _ => new { name = "Taken over" }),
        ["PUT /api/admin/teams/{teamId}/members/{userId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}/members/{s.Team.Outsider}", _ => new { role = "pcp" }),
        ["DELETE /api/admin/teams/{teamId}/members/{userId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}/members/{s.Team.Bhc}"),
        ["PUT /api/admin/teams/{teamId}/displays/{userId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}/displays/{s.Team.Display}"),
        ["DELETE /api/admin/teams/{teamId}/displays/{userId}"] = new(Expect.Refused, s => $"api/admin/teams/{s.Team.TeamId}/displays/{s.Team.Display}"),
        ["GET /api/admin/users/{userId}"] = new(Expect.Refused, s => $"api/admin/users/{s.Team.Pcp}"),
        ["PUT /api/admin/users/{userId}"] = new(Expect.Refused, s => $"api/admin/users/{s.Team.Outsider}", _ => new { displayName = "Otto Admin", kind = "administrator" }),
    };

    /// <summary>The hub's methods a client can call (public instance methods declared on the hub, SignalR's lifetime ones aside).</summary>
    private static IEnumerable<string> HubMethods() =>
        typeof(HuddleHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not (nameof(Hub.OnConnectedAsync) or nameof(Hub.OnDisconnectedAsync) or nameof(Hub.Dispose)))
            .Select(m => m.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? m.Name)
            .Where(name => name != HuddleHub.UnboundMethod)
            .Distinct(StringComparer.Ordinal);

    /// <summary>The API's endpoints as "METHOD /api/pattern", the development API aside (it is 404 outside Development and token-guarded there: DevTokenTests).</summary>
    private IEnumerable<string> ApiEndpoints() =>
        app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && raw.StartsWith("/api/", StringComparison.Ordinal) && !raw.StartsWith("/api/dev", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .Distinct(StringComparer.Ordinal);

    [Fact]
    public void Every_hub_method_and_api_endpoint_has_a_case()
    {
        var hub = HubMethods().ToHashSet(StringComparer.Ordinal);
        Assert.True(hub.SetEquals(HubCases.Keys),
            $"Hub methods without a case: [{string.Join(", ", hub.Except(HubCases.Keys))}]; cases without a method: [{string.Join(", ", HubCases.Keys.Except(hub))}]");
        var api = ApiEndpoints().ToHashSet(StringComparer.Ordinal);
        Assert.True(api.SetEquals(HttpCases.Keys),
            $"Endpoints without a case: [{string.Join(", ", api.Except(HttpCases.Keys))}]; cases without an endpoint: [{string.Join(", ", HttpCases.Keys.Except(api))}]");
    }

    [Fact]
    public async Task An_outsider_is_refused_every_call_on_a_teams_things_by_hub_and_http_and_nothing_changes()
    {
        var scene = await SceneAsync();
        var team = scene.Team;
        var before = await StateAsync(scene);
        // A member watches the board throughout: the outsider's calls (an Unsubscribe of that board among them) must not cut it.
        await using var member = await app.HubAsAsync(team.Pcp);
        var changes = System.Threading.Channels.Channel.CreateUnbounded<JsonElement>();
        member.On<JsonElement>(nameof(IHuddleClient.BoardChanged), c => changes.Writer.TryWrite(c));
        Assert.True((await member.InvokeAsync<JsonElement>("SubscribeBoard", team.TeamId)).GetProperty("ok").GetBoolean());

        await using var outsider = await app.HubAsAsync(team.Outsider);
        var failures = new List<string>();
        using var auditor = await app.HttpAsAsync(await app.AdministratorAsync());
        var denials = await DenialsAsync(auditor, team.Outsider);
        foreach (var (method, call) in HubCases)
        {
            var args = call.Args(scene);
            if (call.Expect == Expect.NoAnswer)
            {
                await outsider.InvokeCoreAsync(method, args);
                continue;
            }

            var answer = await outsider.InvokeCoreAsync<JsonElement>(method, args);
            Check($"hub {method}", call.Expect, answer.GetProperty("ok").GetBoolean(), answer.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e.GetProperty("code").GetString() : null,
                answer.GetRawText(), scene, failures);
            denials = await CheckAuditedAsync($"hub {method}", call.Expect, auditor, team.Outsider, denials, failures);
        }

        using var http = await app.HttpAsAsync(team.Outsider);
        using var anonymous = app.Http();
        foreach (var (endpoint, call) in HttpCases)
        {
            var method = new HttpMethod(endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)]);
            using var response = await SendAsync(http, method, call.Path(scene), call.Body?.Invoke(scene));
            var body = await response.Content.ReadAsStringAsync();
            var code = response.IsSuccessStatusCode ? null : JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : $"{(int)response.StatusCode}";
            Check($"{endpoint} ({(int)response.StatusCode})", call.Expect, response.IsSuccessStatusCode, code, body, scene, failures);
            denials = await CheckAuditedAsync(endpoint, call.Expect, auditor, team.Outsider, denials, failures);

            // Not signed in: 401 for every endpoint, whatever it names.
            using var unsigned = await SendAsync(anonymous, method, call.Path(scene), call.Body?.Invoke(scene));
            if (unsigned.StatusCode != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{endpoint} without a token answered {(int)unsigned.StatusCode}, not 401");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // Nothing of the team's changed, and the member's watch still delivers the next change.
        Assert.Equal(before, await StateAsync(scene));
        using var pcp = await app.HttpAsAsync(team.Pcp);
        using var added = await pcp.PostAsJsonAsync($"api/teams/{team.TeamId}/board/addActionItem", new { title = "Member item", opId = "m-1" }, HuddleJson.Options);
        added.EnsureSuccessStatusCode();
        var change = await changes.Reader.ReadAsync().AsTask().Within(HubClient.Timeout, "the member's board change after the outsider's calls");
        Assert.Equal("addActionItem", change.GetProperty("op").GetString());
    }

    /// <summary>Records a failure when the answer is not what <paramref name="expect"/> says (a refusal; or served with nothing of the team's).</summary>
    private static void Check(string what, Expect expect, bool ok, string? code, string body, Scene scene, List<string> failures)
    {
        if (expect == Expect.Refused && (ok || code is not ("forbidden" or "not_found")))
        {
            failures.Add($"{what} was not refused: {Cut(body)}");
        }
        else if (expect == Expect.Invalid && (ok || code != "validation_failed"))
        {
            failures.Add($"{what} was not refused as invalid: {Cut(body)}");
        }
        else if (expect == Expect.Own)
        {
            if (!ok)
            {
                failures.Add($"{what} (the caller's own) failed: {Cut(body)}");
            }

            // Ids as JSON strings (the outsider's own team's id begins with this team's, in these tests).
            string[] theirs = [$"\"{scene.Team.TeamId}\"", $"\"{scene.HandoffId}\"", $"\"{scene.Team.Patients[0]}\"", "Alma Reyes", "PHQ-9 of 18", "Safety plan"];
            foreach (var secret in theirs.Where(t => body.Contains(t, StringComparison.Ordinal)))
            {
                failures.Add($"{what} answered the outsider with '{secret}': {Cut(body)}");
            }
        }
    }

    /// <summary>How many denied records the audit trail holds for <paramref name="userId"/> today (UTC).</summary>
    private static async Task<(DateOnly Day, int Count)> DenialsAsync(HttpClient auditor, string userId)
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var answer = await auditor.GetFromJsonAsync<JsonElement>($"api/admin/audit?day={day:yyyy-MM-dd}&userId={userId}&outcome=denied&limit=1000");
        return (day, answer.GetProperty("records").GetArrayLength());
    }

    /// <summary>A refused call must have left one more denied record of the caller (audit completeness); answers the new count.</summary>
    private static async Task<(DateOnly, int)> CheckAuditedAsync(string what, Expect expect, HttpClient auditor, string userId, (DateOnly Day, int Count) before, List<string> failures)
    {
        var now = await DenialsAsync(auditor, userId);
        // Past midnight UTC the count starts again in the next day's log: nothing to compare.
        if (expect == Expect.Refused && now.Count <= before.Count && now.Day == before.Day)
        {
            failures.Add($"{what} was refused without a denied audit record");
        }

        return now;
    }

    private static string Cut(string body) => body.Length <= 300 ? body : body[..300] + "…";

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, object? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: HuddleJson.Options);
        }

        return http.SendAsync(request);
    }

    /// <summary>A team with a waiting handoff, a message in the patient's thread (sent by the PCP) and in the team's and a direct thread.</summary>
    private async Task<Scene> SceneAsync()
    {
        var team = await app.CreateTeamAsync();
        var handoffId = await app.RequestOneAsync(team);
        var patientThread = ThreadIds.ForPatient(team.Patients[0])!;
        var teamThread = ThreadIds.ForTeam(team.TeamId)!;
        using var pcp = await app.HttpAsAsync(team.Pcp);
        long seq = 0;
        foreach (var thread in new[] { patientThread, teamThread })
        {
            using var sent = await pcp.PostAsJsonAsync($"api/threads/{thread}/messages", new { clientMessageId = $"c-{thread}", text = "Safety plan reviewed", ackRequested = true, mentions = new[] { team.Bhc } }, HuddleJson.Options);
            sent.EnsureSuccessStatusCode();
            seq = thread == patientThread ? (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("seq").GetInt64() : seq;
        }

        using var direct = await pcp.PostAsJsonAsync("api/threads/direct", new { userId = team.Bhc }, HuddleJson.Options);
        direct.EnsureSuccessStatusCode();
        var directThread = (await direct.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("threadId").GetString()!;
        using var dm = await pcp.PostAsJsonAsync($"api/threads/{directThread}/messages", new { clientMessageId = "c-dm-1", text = "Safety plan for Alma Reyes" }, HuddleJson.Options);
        dm.EnsureSuccessStatusCode();
        return new Scene(team, handoffId, patientThread, teamThread, directThread, seq);
    }

    /// <summary>What the team's members see of its things: board version, handoff status and history length, each thread's text.</summary>
    private async Task<string> StateAsync(Scene scene)
    {
        using var pcp = await app.HttpAsAsync(scene.Team.Pcp);
        var board = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{scene.Team.TeamId}/board");
        var handoff = await pcp.GetFromJsonAsync<JsonElement>($"api/handoffs/{scene.HandoffId}");
        var policy = await pcp.GetFromJsonAsync<JsonElement>($"api/teams/{scene.Team.TeamId}/handoffs");
        var threads = new List<string>();
        foreach (var thread in new[] { scene.PatientThread, scene.TeamThread, scene.DirectThread })
        {
            threads.Add((await pcp.GetFromJsonAsync<JsonElement>($"api/threads/{thread}")).GetRawText());
        }

        return string.Join("|", board.GetProperty("version").GetInt64(), handoff.GetProperty("status").GetString(), handoff.GetProperty("history").GetArrayLength(),
            policy.GetRawText().Length, string.Join("|", threads));
    }
}
