using Huddle.Contracts.Boards;
using Huddle.Testing;
using Huddle.Web.Boards;
using Microsoft.Extensions.DependencyInjection;

namespace Huddle.Web.Tests;

/// <summary>A component's live copy of a board, with a renderer the test holds still.</summary>
public sealed class LiveBoardTests(HuddleAppFixture app)
{
    private BoardService Boards => app.App.Services.GetRequiredService<BoardService>();

    [Fact]
    public async Task A_circuit_that_cannot_keep_up_holds_a_bounded_backlog_then_catches_up_to_the_board()
    {
        var team = await app.CreateTeamAsync();
        var held = new List<Func<Task>>();
        var gate = new Lock();
        Task Dispatch(Func<Task> work)
        {
            lock (gate)
            {
                held.Add(work);
            }

            return Task.CompletedTask;
        }

        var renders = 0;
        await using var live = await LiveBoard.OpenAsync(Boards, team.TeamId, team.Bhc, wallView: false, Dispatch, () => renders++);
        var start = live.Board!.Version;

        // The renderer is stuck (a slow or reconnecting circuit) while 300 changes happen.
        long last = 0;
        for (var i = 0; i < 300; i++)
        {
            last = (await Boards.ExecuteAsync(team.Pcp, team.TeamId, new RenameLane("lane-1", $"Lane {i}"))).Value!.Version;
        }

        await Eventually.Until(() => Task.FromResult(Volatile.Read(ref renders) == 0 && HeldCount() > 0), HubClient.Timeout, "a drain to be posted");

        // One drain is posted however many changes arrive; none of them runs until the renderer does.
        Assert.InRange(HeldCount(), 1, 3);
        Assert.Equal(start, live.Board.Version);

        // The renderer runs again: it works through what was posted (and whatever the relay still
        // delivers meanwhile) until the board is where the grain is.
        await Eventually.Until(async () =>
        {
            while (HeldCount() > 0)
            {
                Func<Task> next;
                lock (gate)
                {
                    next = held[0];
                    held.RemoveAt(0);
                }

                await next();
            }

            return live.Board?.Version == last;
        }, HubClient.Timeout, "the board to catch up with the grain");

        Assert.Equal(last, live.Board!.Version);
        Assert.Equal("Lane 299", live.Board.FindLane("lane-1")!.Title);
        Assert.True(renders >= 1);

        int HeldCount()
        {
            lock (gate)
            {
                return held.Count;
            }
        }
    }
}
