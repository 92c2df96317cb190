using Huddle.Contracts.CareTeams;
using Huddle.Contracts.Handoffs;
using Huddle.Web.Auth;
using Huddle.Web.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace Huddle.Web.Handoffs;

/// <summary>
/// A team's open handoffs, live from <c>handoffs:{teamId}</c> through the relay (a summary carries no
/// patient data, so the wall view shows the same); a gap or a reset re-reads the feed.
/// </summary>
public sealed partial class OpenHandoffsStrip : IAsyncDisposable
{
    private readonly Dictionary<string, HandoffSummary> _items = new(StringComparer.Ordinal);
    private EtaTicker? _ticker;
    private RendererFeed<TeamHandoffsChange>? _feed;
    private IAsyncDisposable? _watch;
    private CareTeamProfile? _team;
    private string _userId = "";
    private long _seq = -1;
    private bool _disposed;

    [Parameter, EditorRequired]
    public string TeamId { get; set; } = "";

    /// <summary>The room display's large, link-free form.</summary>
    [Parameter]
    public bool WallView { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    private HandoffService Handoffs { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _userId = (await AuthState).User.UserIdOf();
        _team = (await Handoffs.TeamAsync(_userId, TeamId)).Value;
        _feed = new RendererFeed<TeamHandoffsChange>(InvokeAsync, ApplyAsync, CatchUpOnceAsync, () =>
        {
            StateHasChanged();
            return Task.CompletedTask;
        });
        var (open, watch) = await Handoffs.WatchTeamAsync(_userId, TeamId, _feed.Enqueue);
        if (_disposed)
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
            }

            return;
        }

        _watch = watch;
        Take(open.Value);
    }

    protected override void OnAfterRender(bool firstRender)
    {
        // An accepted handoff's countdown ("arriving in 2 min") stays true on the board and the wall.
        _ticker ??= new EtaTicker(Time, () => InvokeAsync(StateHasChanged));
        _ticker.Keep(_items.Values.Any(EtaTicker.Counts));
    }

    private string NameOf(string? userId) =>
        userId is null ? "" : userId == _userId ? "you" : _team?.Members.FirstOrDefault(m => m.UserId == userId)?.DisplayName ?? "a colleague";

    private async Task<bool> ApplyAsync(TeamHandoffsChange change)
    {
        if (change.Seq <= _seq && !change.Reset)
        {
            return false;
        }

        if (change.Reset || change.Seq > _seq + 1 || change.Item is null)
        {
            await _feed!.CatchUpAsync();
            return true;
        }

        Merge(change);
        return true;
    }

    private void Merge(TeamHandoffsChange change)
    {
        _seq = change.Seq;
        if (change.Item is not { } item)
        {
            return;
        }

        if (!item.IsOpen)
        {
            _items.Remove(item.HandoffId);
        }
        else if (!_items.TryGetValue(item.HandoffId, out var held) || held.Version < item.Version)
        {
            _items[item.HandoffId] = item;
        }
    }

    private async Task CatchUpOnceAsync()
    {
        var read = await Handoffs.ReadTeamAsync(_userId, TeamId, _seq < 0 ? null : _seq);
        if (read.Value is { Reset: false } missed && missed.Changes.Any(c => c.Reset || c.Item is null))
        {
            read = await Handoffs.ReadTeamAsync(_userId, TeamId, null);
        }

        Take(read.Value);
    }

    private void Take(TeamHandoffsReply? reply)
    {
        if (reply is null)
        {
            return;
        }

        if (reply.Handoffs is { } snapshot)
        {
            _items.Clear();
            foreach (var item in snapshot.Items)
            {
                _items[item.HandoffId] = item;
            }
        }
        else
        {
            foreach (var change in reply.Changes.Where(c => c.Seq > _seq))
            {
                Merge(change);
            }
        }

        _seq = Math.Max(_seq, reply.Seq);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _ticker?.Dispose();
        if (_watch is not null)
        {
            await _watch.DisposeAsync();
        }
    }
}
