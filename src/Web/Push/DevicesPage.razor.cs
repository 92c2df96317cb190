using System.Collections.Immutable;
using Huddle.Contracts.Push;
using Huddle.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.JSInterop;

namespace Huddle.Web.Push;

/// <summary>
/// "My devices": turn pushed pings on or off for this device, install the app on a phone, and rename
/// or remove any device that gets this clinician's pings. The browser subscribes (its push service,
/// its keys); the circuit stores the subscription for the signed-in clinician only.
/// </summary>
public sealed partial class DevicesPage : IAsyncDisposable
{
    private IJSObjectReference? _js;
    private DeviceState? _state;
    private ImmutableArray<PushDeviceView>? _devicesList;
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private string? _message;
    private bool _busy;
    private string _userId = "";

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    [Inject]
    private PushService Push { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

    [CascadingParameter]
    private Task<AuthenticationState> Authentication { get; set; } = default!;

    private PushDeviceView[]? Devices => _devicesList is { } list ? [.. list] : null;

    private bool CannotEnable => _busy || _state?.Permission == "denied";

    private string StatusText => _state switch
    {
        { DeviceId: not null } => "Notifications are on: pings reach this device even when Huddle is closed.",
        { Permission: "denied" } => "Notifications are blocked for Huddle in this browser: allow them in the site's settings, then turn them on here.",
        _ => "Notifications are off for this device.",
    };

    protected override async Task OnInitializedAsync()
    {
        _userId = (await Authentication).User.UserIdOf();
        await LoadAsync();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender)
        {
            _js = await JS.InvokeAsync<IJSObjectReference>("import", "./Push/DevicesPage.razor.js");
            _state = await _js.InvokeAsync<DeviceState>("state");
            StateHasChanged();
        }
    }

    private async Task LoadAsync()
    {
        var listed = await Push.ListAsync(_userId);
        if (listed.Value is { } list)
        {
            _devicesList = list.Devices;
            foreach (var device in list.Devices)
            {
                _names[device.DeviceId] = device.Name;
            }
        }
        else
        {
            _message = listed.Error?.Message;
            _devicesList ??= [];
        }
    }

    private async Task EnableAsync()
    {
        await RunAsync(async js =>
        {
            var key = await Push.KeyAsync();
            if (key.Value is not { } publicKey)
            {
                _message = key.Error?.Message;
                return;
            }

            var subscribed = await js.InvokeAsync<Subscribed>("enable", publicKey.PublicKey);
            if (subscribed.Error is { } error)
            {
                _message = error switch
                {
                    "blocked" => "The browser blocked notifications for Huddle: allow them in the site's settings.",
                    "dismissed" => "Notifications were not allowed. Turn them on again when you are ready.",
                    _ => $"This browser could not subscribe to notifications ({subscribed.Message}). Pings still reach open Huddle pages. If it keeps failing, the network may block the browser's push service: ask your IT team.",
                };
                return;
            }

            var stored = await Push.SubscribeAsync(_userId, new PushSubscriptionInput(subscribed.DeviceId!, subscribed.Endpoint!, subscribed.Keys!, subscribed.Name));
            _message = stored.Error?.Message;
        });
    }

    private Task DisableAsync() => RunAsync(async js =>
    {
        var deviceId = _state?.DeviceId;
        await js.InvokeVoidAsync("disable");
        if (deviceId is not null)
        {
            _message = (await Push.RemoveAsync(_userId, deviceId)).Error?.Message;
        }
    });

    private Task RenameAsync(string deviceId) => RunAsync(async _ =>
        _message = (await Push.RenameAsync(_userId, deviceId, _names.GetValueOrDefault(deviceId))).Error?.Message);

    private Task RemoveAsync(string deviceId) => RunAsync(async js =>
    {
        if (deviceId == _state?.DeviceId)
        {
            await js.InvokeVoidAsync("disable");
        }

        _message = (await Push.RemoveAsync(_userId, deviceId)).Error?.Message;
    });

    private Task InstallAsync() => RunAsync(async js => await js.InvokeAsync<bool>("install"));

    /// <summary>One action at a time; afterwards the device's state and the list are read again.</summary>
    private async Task RunAsync(Func<IJSObjectReference, Task> action)
    {
        if (_js is null || _busy)
        {
            return;
        }

        _busy = true;
        _message = null;
        try
        {
            await action(_js);
            _state = await _js.InvokeAsync<DeviceState>("state");
            await LoadAsync();
        }
        catch (JSException ex)
        {
            _message = $"The browser refused: {ex.Message}";
        }
        finally
        {
            _busy = false;
        }
    }

    private string Ago(DateTimeOffset at)
    {
        var ago = Time.GetUtcNow() - at;
        return ago < TimeSpan.FromMinutes(1) ? "just now"
            : ago < TimeSpan.FromHours(1) ? $"{(int)ago.TotalMinutes} min ago"
            : ago < TimeSpan.FromDays(1) ? $"{(int)ago.TotalHours} h ago"
            : $"{(int)ago.TotalDays} d ago";
    }

    public async ValueTask DisposeAsync()
    {
        if (_js is not null)
        {
            try
            {
                await _js.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone; so is the module.
            }
        }
    }

    /// <summary>What the browser says of this device (DevicesPage.razor.js <c>state()</c>).</summary>
    private sealed record DeviceState(bool Supported, string Permission, string? DeviceId, bool Standalone, bool Ios, bool Phone, bool CanInstall);

    /// <summary>The browser's subscription, or why there is none (DevicesPage.razor.js <c>enable()</c>).</summary>
    private sealed record Subscribed(string? DeviceId, string? Name, string? Endpoint, PushKeys? Keys, string? Error, string? Message);
}
