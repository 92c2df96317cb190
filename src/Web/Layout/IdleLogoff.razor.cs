using System.Security.Claims;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;

namespace Huddle.Web.Layout;

/// <summary>
/// Automatic logoff (docs/security.md): the browser reports its person's input at once and then at
/// most every 30 s (a third of the idle time when that is shorter), renewing the cookie each time; when none came for the idle time, this page's user becomes nobody and
/// the browser goes through <c>/session/idle</c>, which removes the cookie, to the sign-in page. A
/// browser closed meanwhile keeps a cookie that lapses a little after the idle time
/// (<see cref="IdleLogoffOptions.CookieLifetime"/>).
/// A team-room display reports itself alive unasked and is never signed out for idleness.
/// </summary>
public sealed partial class IdleLogoff : IAsyncDisposable
{
    private DotNetObjectReference<IdleLogoff>? _self;
    private bool _disposed;
    private IJSObjectReference? _module;
    private IJSObjectReference? _watch;
    private ITimer? _timer;
    private DateTimeOffset _lastInput;
    private bool _display;

    [Inject]
    private IdleLogoffOptions Options { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private AuthenticationStateProvider Authentication { get; set; } = default!;

    [Inject]
    private CircuitSignOut SignOut { get; set; } = default!;

    /// <summary>How often the browser reports input: 30 s, or a third of a shorter idle time.</summary>
    private TimeSpan ReportEvery => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, Options.IdleTimeout.Ticks / 3));

    /// <summary>Called by the browser: the person gave input since its last report.</summary>
    [JSInvokable]
    public Task Active()
    {
        _lastInput = Time.GetUtcNow();
        return Task.CompletedTask;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender || !Options.Enabled)
        {
            return;
        }

        var user = (await Authentication.GetAuthenticationStateAsync()).User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        _display = user.IsRoomDisplay();
        _lastInput = Time.GetUtcNow();
        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./Layout/IdleLogoff.razor.js");
            if (_disposed)
            {
                // The page went away while the module loaded: nothing to start.
                await _module.DisposeAsync();
                return;
            }

            _self = DotNetObjectReference.Create(this);
            _watch = await _module.InvokeAsync<IJSObjectReference>("start", _self, _display, (int)ReportEvery.TotalMilliseconds);
            if (_disposed)
            {
                // Gone while the watch started: its disposal ran before there was a watch to stop.
                await StopAsync();
                return;
            }
        }
        catch (Exception ex) when (ex is JSDisconnectedException || (_disposed && ex is ObjectDisposedException or JSException))
        {
            return;
        }

        if (!_display)
        {
            // Checked every tenth of the idle time: signed out at most that late.
            var every = TimeSpan.FromTicks(Math.Max(Options.IdleTimeout.Ticks / 10, TimeSpan.FromSeconds(1).Ticks));
            _timer = Time.CreateTimer(_ => _ = InvokeAsync(CheckAsync), null, every, every);
        }

        StateHasChanged();
    }

    private Task CheckAsync()
    {
        if (Time.GetUtcNow() - _lastInput < Options.IdleTimeout || _timer is null)
        {
            return Task.CompletedTask;
        }

        _timer.Dispose();
        _timer = null;
        // Nobody is signed in on this page any more; the browser leaves for the sign-in page (the router's
        // own redirect, which the state change also causes, goes to the same place).
        SignOut.Target = HuddleAuthentication.SessionIdlePath;
        (Authentication as IHostEnvironmentAuthenticationStateProvider)?.SetAuthenticationState(
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity()))));
        Navigation.NavigateTo(HuddleAuthentication.SessionIdlePath, forceLoad: true);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _timer?.Dispose();
        try
        {
            await StopAsync();
        }
        catch (JSDisconnectedException)
        {
            // The page is gone: nothing to stop.
        }
    }

    /// <summary>Stops the watch and lets go of the module and of this component's reference (each once).</summary>
    private Task StopAsync()
    {
        var (watch, module, self) = (_watch, _module, _self);
        (_watch, _module, _self) = (null, null, null);
        return Layout.JsWatches.EndAsync(watch, "stop", module, self);
    }
}
