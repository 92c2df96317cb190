namespace Huddle.Web.Push;

/// <summary>The deployment's VAPID public key, the browsers' <c>applicationServerKey</c> (GET /api/push/key).</summary>
public sealed record PushKey(string PublicKey);
