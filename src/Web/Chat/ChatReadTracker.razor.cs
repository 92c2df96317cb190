using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Huddle.Web.Chat;

/// <summary>
/// Reports which messages of its chat panel were shown on screen (an <c>IntersectionObserver</c> in the
/// browser: at least half of a message inside the view, the tab visible), so "read" means seen, not
/// merely received. Calls <see cref="OnShown"/> with the newest seq shown, a few times a second at most.
/// </summary>
public sealed partial class ChatReadTracker : IAsyncDisposable
{
    private DotNetObjectReference<ChatReadTracker>? _self;
    private IJSObjectReference? _module;
    private IJSObjectReference? _watch;
    private bool _disposed;

    /// <summary>The panel's thread.</summary>
    [Parameter, EditorRequired]
    public string ThreadId { get; set; } = "";

    /// <summary>Called with the newest seq shown on screen.</summary>
    [Parameter, EditorRequired]
    public Func<long, Task> OnShown { get; set; } = default!;

    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    private ElementReference _marker;

    /// <summary>Called by the browser: messages up to <paramref name="seq"/> were shown.</summary>
    [JSInvokable]
    public Task Shown(long seq) => _disposed ? Task.CompletedTask : OnShown(seq);

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        try
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./Chat/ChatReadTracker.razor.js");
            if (_disposed)
            {
                // The panel closed while the module loaded (a tap on "All chats"): nothing to start.
                await _module.DisposeAsync();
                return;
            }

            _self = DotNetObjectReference.Create(this);
            _watch = await _module.InvokeAsync<IJSObjectReference?>("watch", _marker, _self);
            if (_disposed)
            {
                // Closed while the watch started: its disposal ran before there was a watch to stop.
                await StopAsync();
            }
        }
        catch (Exception ex) when (ex is JSDisconnectedException || (_disposed && ex is ObjectDisposedException or JSException))
        {
            // The circuit went away, or the panel closed, while it opened: nothing to watch.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        try
        {
            await StopAsync();
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone: its observers went with it.
        }
    }

    /// <summary>Stops the watch and lets go of the module and of this component's reference (each once).</summary>
    private Task StopAsync()
    {
        var (watch, module, self) = (_watch, _module, _self);
        (_watch, _module, _self) = (null, null, null);
        return Layout.JsWatches.EndAsync(watch, "dispose", module, self);
    }
}
