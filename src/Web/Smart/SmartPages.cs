using System.Text.Encodings.Web;

namespace Huddle.Web.Smart;

/// <summary>
/// The small pages a launch can end on inside the EHR's frame: a refusal said plainly (with its code,
/// never a token or a patient), the offer to sign in in a new window, and that window's "done".
/// </summary>
public static class SmartPages
{
    /// <summary>A refusal: status, a stable code (also in <c>data-code</c> for tests and support) and what to do.</summary>
    public static IResult Problem(HttpContext context, int status, string code, string message) =>
        Page(context, status, "Huddle could not open", $"""
            <p role="alert" id="smart-problem" data-code="{Encode(code)}">{Encode(message)}</p>
            <p class="code">Code: {Encode(code)}</p>
            """);

    /// <summary>
    /// The EHR's sign-in cannot happen in this frame: a button opens <paramref name="launch"/> in a
    /// window of its own (with a token this frame made for it), and the frame then waits for that window
    /// to hand it the widget's address (<c>postMessage</c>, checked: from that window, on Huddle's origin,
    /// with that token) and opens it.
    /// </summary>
    public static IResult NewWindow(HttpContext context, string launch, string why) =>
        Page(context, StatusCodes.Status200OK, "Sign in to open Huddle", $"""
            <p>{Encode(why)}</p>
            <button type="button" id="smart-new-window" data-launch="{Encode(launch)}">Open sign-in in a new window</button>
            <p id="smart-waiting" role="status" hidden>Waiting for the sign-in window… Huddle opens here when it is done.</p>
            <script src="/smart-launch.js"></script>
            """);

    /// <summary>
    /// The sign-in window's last page: its script hands <paramref name="widget"/> (the session's address)
    /// with <paramref name="frameToken"/> to the window's opener on Huddle's origin only, then closes the
    /// window; a window with no such opener (opened from a link, not by the chart's frame) hands it to
    /// nobody and says so.
    /// </summary>
    public static IResult SignedInElsewhere(HttpContext context, string widget, string frameToken) =>
        Page(context, StatusCodes.Status200OK, "Signed in", $"""
            <p role="status" id="smart-signed-in" data-widget="{Encode(widget)}" data-frame="{Encode(frameToken)}">Signed in. Huddle opens in the patient's chart; you can close this window.</p>
            <p role="alert" id="smart-no-opener" hidden>This window was not opened by Huddle in a patient's chart, so the sign-in was handed to nobody. Close it and open Huddle from the chart.</p>
            <script src="/smart-launch.js"></script>
            """);

    private static IResult Page(HttpContext context, int status, string title, string body)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Encode(title)}} · Huddle</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 16px; color: #1b1b1b; max-width: 40rem; }
              h1 { font-size: 1.25rem; } .code { color: #555; font-size: .875rem; }
              button { font: inherit; min-height: 44px; padding: 8px 16px; background: #1f5f8b; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
              button:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
            </style></head>
            <body><main><h1>{{Encode(title)}}</h1>
            {{body}}
            </main></body></html>
            """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
