namespace Huddle.Contracts.Live;

/// <summary>
/// Where a web host co-hosted with its silo registers its relay, under the observer reference it subscribes
/// to owners with, so that owners on that silo call the relay directly instead of sending the silo's hosted
/// client a message (the silo's <c>LocalFeedHosts</c>). Absent where the web host is an Orleans client.
/// </summary>
public interface IFeedHostRegistry
{
    /// <summary>Registers <paramref name="host"/>, subscribed to owners as <paramref name="reference"/>.</summary>
    void Add(IFeedObserver reference, IFeedObserver host);

    /// <summary>Forgets the host subscribed as <paramref name="reference"/> (it is stopping): owners send it messages again.</summary>
    void Remove(IFeedObserver reference);
}
