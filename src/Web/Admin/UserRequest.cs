using Huddle.Contracts.Users;

namespace Huddle.Web.Admin;

/// <summary>Body of PUT /api/admin/users/{userId}: the name teammates see and the kind of user.</summary>
public sealed record UserRequest(string? DisplayName, UserKind? Kind);
