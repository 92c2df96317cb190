using System.Collections.Immutable;
using Huddle.Contracts.Users;

namespace Huddle.Web.Auth;

/// <summary>The identities the development sign-in page lists (the composition root supplies the demo ones).</summary>
public sealed record DevIdentities(ImmutableArray<UserProfile> Users);
