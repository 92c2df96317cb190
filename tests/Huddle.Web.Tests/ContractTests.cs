using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Huddle.Testing;
using Huddle.Web.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>
/// The contract a client written from docs/api.md relies on: one reply of one kind has one shape over
/// the hub and HTTP, and every hub method answers arguments that do not bind with <c>validation_failed</c>.
/// </summary>
public sealed class ContractTests(HuddleAppFixture app)
{
    [Fact]
    public async Task Every_feeds_http_catch_up_answers_in_the_shape_of_its_hub_twin()
    {
        var team = await app.CreateTeamAsync();
        using var http = await app.HttpAsAsync(team.Pcp);
        await using var hub = await HubClient.ConnectAsync(app, team.Pcp);
        (string Path, string Subscribe, string Resume, object[] Args)[] feeds =
        [
            ("api/inbox", nameof(HuddleHub.SubscribeInbox), nameof(HuddleHub.ResumeInbox), []),
            ($"api/teams/{team.TeamId}/handoffs", nameof(HuddleHub.SubscribeTeamHandoffs), nameof(HuddleHub.ResumeTeamHandoffs), [team.TeamId]),
            ($"api/teams/{team.TeamId}/presence", nameof(HuddleHub.SubscribeTeamPresence), nameof(HuddleHub.ResumeTeamPresence), [team.TeamId]),
            ($"api/teams/{team.TeamId}/board/changes?since=0", nameof(HuddleHub.ResumeBoard), nameof(HuddleHub.ResumeBoard), [team.TeamId, 0L, 0L]),
            ($"api/threads/tm.{team.TeamId}", nameof(HuddleHub.SubscribeThread), nameof(HuddleHub.ResumeThread), [$"tm.{team.TeamId}"]),
        ];

        foreach (var (path, subscribe, resume, args) in feeds)
        {
            var opened = await hub.Hub.InvokeCoreAsync<JsonElement>(subscribe, args);
            var read = await http.GetFromJsonAsync<JsonElement>(path);
            Assert.True(read.GetProperty("ok").GetBoolean(), $"{path}: {read}");
            Assert.Equal(JsonValueKind.Null, read.GetProperty("error").ValueKind);
            Assert.Equal(Names(opened), Names(read));

            if (subscribe == resume)
            {
                // The board is read with ResumeBoard itself and numbers by version: from another epoch, hub and
                // HTTP alike answer one reset with the board, never changes.
                var (version, boardEpoch) = (opened.GetProperty("version").GetInt64(), opened.GetProperty("epoch").GetInt64());
                var foreign = await hub.Hub.InvokeCoreAsync<JsonElement>(resume, [args[0], version, boardEpoch + 1]);
                var foreignHttp = await http.GetFromJsonAsync<JsonElement>($"api/teams/{team.TeamId}/board/changes?since={version}&epoch={boardEpoch + 1}");
                foreach (var reply in new[] { foreign, foreignHttp })
                {
                    Assert.True(reply.GetProperty("reset").GetBoolean(), $"{resume} from another epoch: {reply}");
                    Assert.NotEqual(JsonValueKind.Null, reply.GetProperty("board").ValueKind);
                    Assert.Equal(0, reply.GetProperty("changes").GetArrayLength());
                }

                continue;
            }

            // The catch-up from a position: ResumeX(seq, epoch) and ?since=seq&epoch=epoch.
            var (seq, epoch) = (opened.GetProperty("seq").GetInt64(), opened.GetProperty("epoch").GetInt64());
            var resumed = await hub.Hub.InvokeCoreAsync<JsonElement>(resume, [.. args, seq, epoch]);
            var caughtUp = await http.GetFromJsonAsync<JsonElement>($"{path}?since={seq}&epoch={epoch}");
            Assert.True(caughtUp.GetProperty("ok").GetBoolean(), $"{path}?since: {caughtUp}");
            Assert.Equal(Names(resumed), Names(caughtUp));
            Assert.Equal(["ok", "seq", "reset", "snapshot", "changes", "more", "epoch", "error"], Names(caughtUp));
            Assert.False(resumed.GetProperty("reset").GetBoolean(), $"{resume}: {resumed}");

            // A position of another epoch (an owner that lost its state numbers again) is never answered
            // with changes: the snapshot, on the hub as over HTTP.
            var elsewhere = await hub.Hub.InvokeCoreAsync<JsonElement>(resume, [.. args, seq, epoch + 1]);
            Assert.True(elsewhere.GetProperty("reset").GetBoolean(), $"{resume} from another epoch: {elsewhere}");
            Assert.NotEqual(JsonValueKind.Null, elsewhere.GetProperty("snapshot").ValueKind);
        }
    }

    [Fact]
    public async Task Every_hub_method_answers_an_argument_that_does_not_bind_with_validation_failed()
    {
        var team = await app.CreateTeamAsync();
        await using var hub = await HubClient.ConnectAsync(app, team.Pcp);
        var services = app.App.Services.GetRequiredService<IServiceProviderIsService>();
        var methods = typeof(HuddleHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetCustomAttribute<HubMethodNameAttribute>() is null && m.Name != nameof(HuddleHub.OnDisconnectedAsync))
            .ToList();
        Assert.True(methods.Count >= 20, $"only {methods.Count} hub methods found");

        foreach (var method in methods)
        {
            // The client's arguments (the rest are services): an object where the first is expected
            // binds to none of them (string, number, enum, date, a request with no field of that name);
            // a method without arguments is sent one too many.
            var count = method.GetParameters().Count(p => p.ParameterType != typeof(CancellationToken) && !services.IsService(p.ParameterType));
            object?[] args = [.. Enumerable.Repeat<object?>(new { unbindable = true }, Math.Max(count, 1))];
            var reply = await hub.Hub.InvokeCoreAsync<JsonElement>(method.Name, args);
            Assert.False(reply.GetProperty("ok").GetBoolean(), $"{method.Name}: {reply}");
            Assert.Equal("validation_failed", reply.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains(method.Name, reply.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_hub_method_answers_a_null_where_it_takes_none_with_validation_failed()
    {
        var team = await app.CreateTeamAsync();
        await using var hub = await HubClient.ConnectAsync(app, team.Pcp);
        var services = app.App.Services.GetRequiredService<IServiceProviderIsService>();
        var nullability = new NullabilityInfoContext();
        var checkedMethods = 0;
        foreach (var method in typeof(HuddleHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.GetCustomAttribute<HubMethodNameAttribute>() is null && m.Name != nameof(HuddleHub.OnDisconnectedAsync)))
        {
            // The client's arguments, each null where it may be (a reference) and its default otherwise.
            var arguments = method.GetParameters().Where(p => p.ParameterType != typeof(CancellationToken) && !services.IsService(p.ParameterType)).ToList();
            var required = arguments.FirstOrDefault(p => !p.ParameterType.IsValueType && nullability.Create(p).WriteState == NullabilityState.NotNull);
            if (required is null)
            {
                continue;
            }

            object?[] args = [.. arguments.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)];
            var reply = await hub.Hub.InvokeCoreAsync<JsonElement>(method.Name, args);
            if (method.ReturnType == typeof(Task))
            {
                // An Unsubscribe… answers nothing: a null feed is none the connection watches (no error either).
                Assert.Equal(JsonValueKind.Null, reply.ValueKind);
                continue;
            }

            checkedMethods++;
            Assert.False(reply.GetProperty("ok").GetBoolean(), $"{method.Name}: {reply}");
            Assert.Equal("validation_failed", reply.GetProperty("error").GetProperty("code").GetString());
            Assert.Contains(method.Name, reply.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.True(checkedMethods >= 15, $"only {checkedMethods} hub methods take a required argument");
    }

    [Theory]
    [InlineData("""{"teamId":"t","patientId":"p","room":"Exam 3","target":{"role":"bhc"},"priority":"urgent","reason":{}}""", "situation")]
    [InlineData("""{"teamId":"t","patientId":"p","room":"Exam 3","target":{"role":"bhc"},"priority":"whenever","reason":{"situation":"PHQ-9 of 18"}}""", "priority")]
    // A field the operation does not take is named by where it is, not by the client's name for it.
    [InlineData("""{"teamId":"t","patientId":"p","room":"Exam 3","target":{"role":"bhc"},"priority":"urgent","reason":{"situatoin":"PHQ-9 of 18"}}""", "'$.reason'")]
    [InlineData("""{"teamId":"t","patientId":"p","room":"Exam 3","target":{"role":"bhc"},"priority":"urgent","reason":{"situation":"PHQ-9 of 18"},"Jane Doe MRN 0042":1}""", "'$'")]
    public async Task A_handoff_request_that_does_not_bind_is_validation_failed_and_requests_nothing(string request, string named)
    {
        var team = await app.CreateTeamAsync();
        await using var hub = await HubClient.ConnectAsync(app, team.Pcp);
        var reply = await hub.Hub.InvokeCoreAsync<JsonElement>(nameof(HuddleHub.RequestHandoff), [JsonDocument.Parse(request).RootElement]);
        Assert.False(reply.GetProperty("ok").GetBoolean(), reply.ToString());
        Assert.Equal("validation_failed", reply.GetProperty("error").GetProperty("code").GetString());
        var message = reply.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains(named, message, StringComparison.Ordinal);
        // Error answers never quote what the client sent, nor name the server's types (docs/security.md).
        foreach (var quoted in new[] { "situatoin", "Jane", "whenever", "Huddle.Contracts", "LineNumber" })
        {
            Assert.DoesNotContain(quoted, message, StringComparison.Ordinal);
        }

        // The connection goes on working, and nothing reached the requester's inbox.
        var inbox = await hub.Hub.InvokeCoreAsync<JsonElement>(nameof(HuddleHub.SubscribeInbox), []);
        Assert.True(inbox.GetProperty("ok").GetBoolean(), inbox.ToString());
        Assert.Empty(inbox.GetProperty("snapshot").GetProperty("items").EnumerateArray());
    }

    private static List<string> Names(JsonElement reply) => [.. reply.EnumerateObject().Select(p => p.Name)];
}
