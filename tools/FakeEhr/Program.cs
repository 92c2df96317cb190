// The fake EHR (tests/Huddle.Testing/TestEhr.cs) and Huddle side by side, so an integrator sees the
// widget inside a "chart" (docs/integration.md, "Try it"): the EHR on https://localhost:5443, Huddle on
// https://127.0.0.1:5001 (two sites, as an EHR and Huddle are), each with a certificate made at start,
// Huddle in its development mode (in-memory state, demo data), the EHR registered as its one SMART
// tenant, and every demo clinician and patient in the EHR's records.
using Huddle.Silo.Demo;
using Huddle.Testing;
using Huddle.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

const int EhrPort = 5443;
const int HuddlePort = 5001;

await using var ehr = await TestEhr.StartAsync(new TestEhrOptions { Port = EhrPort });
using var certificate = TestCertificates.Create("127.0.0.1", "localhost");
var huddleAddress = new Uri($"https://127.0.0.1:{HuddlePort}/");
var app = HuddleApp.Build(["--environment", "Development"], builder =>
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        // The endpoint named as in Huddle's appsettings.json, so this one replaces it (an https URL serves https).
        ["Kestrel:Endpoints:Http:Url"] = huddleAddress.ToString(),
        ["Huddle:Orleans:Mode"] = "CoHosted",
        ["Huddle:Clustering:Provider"] = "Localhost",
        ["Huddle:Storage:Provider"] = "Memory",
        ["Huddle:Demo:Seed"] = "true",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Huddle:Smart:Tenants:0:Id"] = "fake-ehr",
        ["Huddle:Smart:Tenants:0:Name"] = "Fake EHR",
        ["Huddle:Smart:Tenants:0:Iss"] = ehr.Iss.ToString(),
        ["Huddle:Smart:Tenants:0:ClientId"] = TestEhr.ClientId,
        ["Huddle:Smart:Tenants:0:ClientSecret"] = ehr.ClientSecret,
        ["Huddle:Smart:Tenants:0:FrameOrigins:0"] = ehr.BaseAddress.GetLeftPart(UriPartial.Authority),
        ["Huddle:Smart:Tenants:0:UserIdentifierSystem"] = TestEhr.UserIdentifierSystem,
        ["Huddle:Smart:Tenants:0:PatientIdentifierSystem"] = TestEhr.PatientIdentifierSystem,
        ["Huddle:Smart:Tenants:0:CertificateSha256"] = ehr.CertificateSha256,
    });
    builder.WebHost.ConfigureKestrel(k => k.ConfigureHttpsDefaults(https => https.ServerCertificate = certificate));
});
ehr.RegisterRedirectUri(new Uri(huddleAddress, "smart/callback"));
ehr.HuddleLaunchUrl = new Uri(huddleAddress, "smart/launch");
foreach (var user in DemoData.Users.Where(u => u.Kind == Huddle.Contracts.Users.UserKind.Clinician))
{
    ehr.AddPractitioner("pr-" + user.UserId[2..], user.DisplayName, user.UserId);
}

var born = new DateOnly(1950, 1, 1);
foreach (var (patient, i) in DemoData.Patients.Select((p, i) => (p, i)))
{
    ehr.AddPatient("pt-" + patient.PatientId[2..], patient.DisplayName, born.AddDays(i * 1907), patient.PatientId);
}

await app.StartAsync();
Console.WriteLine($"""

    The fake EHR is at {ehr.BaseAddress} and Huddle at {huddleAddress} (self-signed certificates:
    open {huddleAddress} once and accept its certificate, then the EHR's).

    A chart with the Huddle widget (Dr. Lena Chen, PCP, viewing Rosa Delgado):
      {new Uri(ehr.BaseAddress, "ehr?user=pr-chen&patient=pt-7f3a")}
    The BHC's own Huddle, to see the widget's warm handoff arrive (sign in as u-okafor):
      {huddleAddress}inbox

    Press Ctrl+C to stop.
    """);
await app.WaitForShutdownAsync();
