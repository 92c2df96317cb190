using System.Diagnostics.CodeAnalysis;

namespace Huddle.Contracts.Common;

/// <summary>
/// Grain references by string key without Orleans' per-call reflection. Orleans 10.4's
/// <c>GetGrain&lt;T&gt;(string)</c> resolves the grain interface type of T on every
/// call, by reading the interface's attributes and then its name (GrainFactory →
/// GrainInterfaceTypeResolver, not cached): a profile of the web host under the bench's <c>teams</c>
/// load found 3.8 % of its CPU there, on a board change's path alone. Both types depend only on the
/// interface (its attributes, its implementing class), so they are read once per interface, from
/// Orleans' own answer, and every later reference is built from them directly — the same grain id and
/// interface type Orleans would have built.
/// </summary>
public static class GrainRefs
{
    /// <summary>The reference <c>grains.GetGrain&lt;T&gt;(key)</c> returns, built without reflection after the first call for <typeparamref name="T"/>.</summary>
    public static T Grain<T>(this IGrainFactory grains, string key)
        where T : IGrainWithStringKey
    {
        ArgumentNullException.ThrowIfNull(grains);
        if (Types<T>.Known is { } known)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(key);
            return (T)grains.GetGrain(GrainId.Create(known.Grain, IdSpan.Create(key)), known.Interface);
        }

        var first = grains.GetGrain<T>(key);
        if (TryTypesOf(first, out var types))
        {
            Types<T>.Known = types;
        }

        return first;
    }

    /// <summary>
    /// The grain and interface types of <paramref name="reference"/>, unless its grain type is one of
    /// Orleans' own ("sys." — among them the stand-in an Orleans client uses before it has the
    /// cluster's type map), which must be resolved again next time.
    /// </summary>
    private static bool TryTypesOf(object? reference, [NotNullWhen(true)] out KnownTypes? types)
    {
        types = null;
        if (reference is not GrainReference grain
            || grain.GrainId.Type.ToString()!.StartsWith(GrainTypePrefix.SystemPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        types = new KnownTypes(grain.GrainId.Type, grain.InterfaceType);
        return true;
    }

    private sealed record KnownTypes(GrainType Grain, GrainInterfaceType Interface);

    /// <summary>One slot per interface: written once (racing writers write the same value), read after.</summary>
    private static class Types<T>
    {
        public static KnownTypes? Known;
    }
}
