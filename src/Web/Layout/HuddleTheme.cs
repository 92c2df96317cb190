using MudBlazor;

namespace Huddle.Web.Layout;

/// <summary>Huddle's colours: calm, high-contrast, readable across a team room.</summary>
public static class HuddleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2e7d6b",
            Warning = "#b26a00",
            Error = "#b3261e",
            AppbarBackground = "#1f5f8b",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#7fb8e0",
            Secondary = "#7fd1bd",
            Background = "#101418",
            Surface = "#1b2229",
        },
    };
}
