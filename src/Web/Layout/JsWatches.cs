using Microsoft.JSInterop;

namespace Huddle.Web.Layout;

/// <summary>
/// Ends what a component started in the browser from a JS module: a watch object (<c>stop</c>-like method),
/// the module, and the component's own reference the watch calls back on, each once, whichever of them exist.
/// </summary>
internal static class JsWatches
{
    public static async Task EndAsync(IJSObjectReference? watch, string stop, IJSObjectReference? module, IDisposable? self)
    {
        try
        {
            if (watch is not null)
            {
                await watch.InvokeVoidAsync(stop);
                await watch.DisposeAsync();
            }

            if (module is not null)
            {
                await module.DisposeAsync();
            }
        }
        finally
        {
            self?.Dispose();
        }
    }
}
