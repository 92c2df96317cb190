using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Huddle.Web.Tests;

/// <summary>bUnit set up the way MudBlazor tests its own components: loose JS interop, no transitions.</summary>
internal static class MudBunit
{
    public static BunitContext CreateContext()
    {
        var ctx = new BunitContext();
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        ctx.Services.AddMudServices(o =>
        {
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.HideTransitionDuration = 0;
            o.PopoverOptions.CheckForPopoverProvider = false;
        });
        ctx.Services.AddSingleton(TimeProvider.System);
        return ctx;
    }
}
