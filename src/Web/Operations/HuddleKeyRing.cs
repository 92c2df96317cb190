using Microsoft.AspNetCore.DataProtection;

namespace Huddle.Web.Operations;

/// <summary>
/// The data-protection key ring that seals browser cookies and bearer tokens. Behind a load balancer
/// every web host must hold the same keys, or a token one host issued is refused by the next (and
/// a Blazor circuit's reconnect to another host fails): <c>Huddle:DataProtection:KeysPath</c> names
/// a folder all web hosts share (a network volume, Azure Files). Unset, each host keeps ASP.NET
/// Core's default ring of its own (on Linux under the user's home), which is right for one host.
/// </summary>
public static class HuddleKeyRing
{
    /// <summary>The folder every web host of one deployment shares for its data-protection keys.</summary>
    public const string KeysPath = "Huddle:DataProtection:KeysPath";

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
        if (builder.Configuration[KeysPath] is { Length: > 0 } path)
        {
            protection.PersistKeysToFileSystem(Directory.CreateDirectory(path));
        }
    }
}
