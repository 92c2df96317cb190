using Microsoft.AspNetCore.DataProtection;

namespace Huddle.Web.Operations;

/// <summary>
/// The data-protection key ring that seals browser cookies and bearer tokens. Behind a load balancer
/// every web host must hold the same keys, or a token one host issued is refused by the next (and
/// a Blazor circuit's reconnect to another host fails). Either <c>Huddle:DataProtection:BlobContainer</c>
/// names a blob container of the deployment's storage account (<c>ConnectionStrings:HuddleStorage</c>)
/// that holds the ring (<see cref="BlobKeyRepository"/>), or <c>Huddle:DataProtection:KeysPath</c> names
/// a folder all web hosts share (a network volume). Unset, each host keeps ASP.NET Core's default ring
/// of its own (on Linux under the user's home), which is right for one host.
/// </summary>
public static class HuddleKeyRing
{
    /// <summary>The folder every web host of one deployment shares for its data-protection keys.</summary>
    public const string KeysPath = "Huddle:DataProtection:KeysPath";

    /// <summary>The blob container (in the storage account of <c>ConnectionStrings:HuddleStorage</c>) that holds the key ring.</summary>
    public const string BlobContainer = "Huddle:DataProtection:BlobContainer";

    /// <summary>The blob, in that container, that holds the key ring.</summary>
    public const string BlobName = "keys.xml";

    /// <summary>
    /// The application name every host seals with. ASP.NET Core's default is the content root's path,
    /// which differs between machines that installed the app in different folders; one fixed name
    /// lets any host open what another sealed.
    /// </summary>
    public const string ApplicationName = "huddle";

    /// <summary>Registers the shared key ring when <see cref="KeysPath"/> is set.</summary>
    public static void AddHuddleKeyRing(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var protection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var container = builder.Configuration[BlobContainer];
        var path = builder.Configuration[KeysPath];
        if (container is { Length: > 0 } && path is { Length: > 0 })
        {
            throw new InvalidOperationException($"Set {BlobContainer} or {KeysPath}, not both: the key ring is kept in one place.");
        }

        if (container is { Length: > 0 })
        {
            var connection = builder.Configuration.GetConnectionString("HuddleStorage") is { Length: > 0 } value
                ? value
                : throw new InvalidOperationException($"{BlobContainer} is set but ConnectionStrings:HuddleStorage is not: the key ring's storage account is that one.");
            var client = new Azure.Storage.Blobs.BlobContainerClient(connection, container);
            builder.Services.AddSingleton<IStartupFilter>(new CreateContainer(client));
            builder.Services.Configure<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>(o =>
                o.XmlRepository = new BlobKeyRepository(client.GetBlobClient(BlobName)));
        }
        else if (path is { Length: > 0 })
        {
            protection.PersistKeysToFileSystem(Directory.CreateDirectory(path));
        }
    }
}

/// <summary>Creates the key ring's container (if it is not there) before the host serves anything: a storage account it cannot reach stops the start, naming it.</summary>
internal sealed class CreateContainer(Azure.Storage.Blobs.BlobContainerClient container) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        try
        {
            container.CreateIfNotExists();
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            throw new InvalidOperationException($"The data-protection key ring's container '{container.Name}' at {container.Uri.GetLeftPart(UriPartial.Authority)} could not be reached or created: {ex.Message}", ex);
        }

        return next;
    }
}
