namespace Huddle.Web.Auth;

/// <summary>Body of POST /api/dev/token.</summary>
public sealed record DevTokenRequest(string UserId);
