using System.Xml.Linq;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Huddle.Web.Operations;

/// <summary>
/// The data-protection key ring in one Azure blob, shared by every web host of a deployment: a cookie
/// or token sealed by one host opens on another, and after a restart.
/// </summary>
/// <remarks>
/// Hand-written because the package that does this (Azure.Extensions.AspNetCore.DataProtection.Blobs)
/// is not served here; this is the same design on Azure.Storage.Blobs, which is. The blob holds one XML
/// document, <c>&lt;repository&gt;</c> with a child per key. A new key is added by a read, then a write
/// conditional on the ETag read (or on no blob yet): two hosts adding keys at once never lose one, the
/// loser reads again and retries. Keys are written rarely (every 90 days, or once on a new ring).
/// </remarks>
public sealed class BlobKeyRepository(BlobClient blob) : IXmlRepository
{
    private const int MaxAttempts = 10;

    public IReadOnlyCollection<XElement> GetAllElements() => Read().Document.Root!.Elements().ToList().AsReadOnly();

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        for (var attempt = 1; ; attempt++)
        {
            var (document, etag) = Read();
            document.Root!.Add(new XElement(element));
            var conditions = etag is { } match ? new BlobRequestConditions { IfMatch = match } : new BlobRequestConditions { IfNoneMatch = ETag.All };
            try
            {
                using var content = new MemoryStream();
                document.Save(content, SaveOptions.DisableFormatting);
                content.Position = 0;
                blob.Upload(content, new BlobUploadOptions
                {
                    Conditions = conditions,
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/xml; charset=utf-8" },
                });
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another host wrote the ring between the read and the write: read it again.
            }
        }
    }

    private (XDocument Document, ETag? ETag) Read()
    {
        try
        {
            var download = blob.DownloadContent();
            using var stream = download.Value.Content.ToStream();
            return (XDocument.Load(stream), download.Value.Details.ETag);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (new XDocument(new XElement("repository")), null);
        }
    }
}
