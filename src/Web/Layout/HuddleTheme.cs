using MudBlazor;

namespace Huddle.Web.Layout;

/// <summary>
/// Huddle's colours: calm, high-contrast, readable across a team room. Every colour a chip or a
/// button fills with meets WCAG AA (4.5:1) against its contrast text, and every colour used as text
/// meets it against the surface: MudBlazor's defaults (white on #00c853 green, #ffa800 amber) do not.
/// </summary>
public static class HuddleTheme
{
    /// <summary>The wall screen's background, also the text on its light fills (9-12:1 on each).</summary>
    private const string DarkInk = "#101418";

    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f5f8b",
            Secondary = "#2e7d6b",
            Warning = "#8a5300",
            Error = "#b3261e",
            Success = "#2e7d32",
            // MudBlazor's #2196f3 as an info alert's text on its own tint is 3.3:1 (the metrics page's
            // "Demo data" note failed AA): this blue is over 6:1 there.
            Info = "#155a96",
            AppbarBackground = "#1f5f8b",
        },
        PaletteDark = new PaletteDark
        {
            // Light fills on the dark wall screen carry dark text.
            Primary = "#7fb8e0",
            PrimaryContrastText = DarkInk,
            Secondary = "#7fd1bd",
            SecondaryContrastText = DarkInk,
            Success = "#66bb6a",
            SuccessContrastText = DarkInk,
            Warning = "#ffb74d",
            WarningContrastText = DarkInk,
            Error = "#f28b82",
            ErrorContrastText = DarkInk,
            Background = DarkInk,
            Surface = "#1b2229",
        },
    };
}
