using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Huddle.Web.Layout;

/// <summary>Focus moved after a step of the user's own, where the control that had it went with the step.</summary>
internal static class FocusMoves
{
    /// <summary>Focuses <paramref name="element"/>; nothing when the page (or the element with it) is gone.</summary>
    public static async Task FocusUnlessGoneAsync(this ElementReference element)
    {
        try
        {
            await element.FocusAsync();
        }
        catch (Exception ex) when (ex is JSDisconnectedException or JSException or InvalidOperationException)
        {
            // The page is gone, or the element with it.
        }
    }
}
