using MudBlazor;

namespace Huddle.Web.Layout;

/// <summary>
/// Huddle's colours: calm, high-contrast, readable across a team room. Every colour a chip or a
/// button fills with meets WCAG AA (4.5:1) against its contrast text, and every colour used as text
/// meets it against the surface: MudBlazor's defaults (white on #00c853 green, #ffa800 amber) do not.
/// </summary>
public static class HuddleTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2e7d6b",
            Warning = "#8a5300",
            Error = "#b3261e",
            Success = "#2e7d32",
            AppbarBackground = "#1f5f8b",
        },
        PaletteDark = new PaletteDark
        {
            // Light fills on the dark wall screen carry dark text.
            Primary = "#7fb8e0",
            PrimaryContrastText = "#101418",
            Secondary = "#7fd1bd",
            SecondaryContrastText = "#101418",
            Success = "#66bb6a",
            SuccessContrastText = "#101418",
            Warning = "#ffb74d",
            WarningContrastText = "#101418",
            Error = "#f28b82",
            ErrorContrastText = "#101418",
            Background = "#101418",
            Surface = "#1b2229",
        },
    };
}
