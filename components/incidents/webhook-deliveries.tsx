import { Badge, type Tone } from "@/components/ui/badge";
import { Table, TBody, Td, Th, THead, Tr } from "@/components/ui/table";
import { Time } from "@/components/ui/time";
import type { WebhookDeliveryView } from "@/lib/incidents/incident-views";

const STATUS_TONE: Record<WebhookDeliveryView["status"], Tone> = { pending: "info", delivered: "success", failed: "danger" };

/** Outgoing webhooks for this incident and how they went; failures are here and on the timeline. */
export function WebhookDeliveries({ deliveries }: { deliveries: WebhookDeliveryView[] }) {
  return (
    <Table caption="Webhook deliveries, newest first" captionHidden embedded>
      <THead>
        <Tr>
          <Th>Event</Th>
          <Th>Status</Th>
          <Th numeric>Tries</Th>
          <Th>Detail</Th>
        </Tr>
      </THead>
      <TBody>
        {deliveries.map((d) => (
          <Tr key={d.id}>
            <Td mono>{d.event}</Td>
            <Td>
              <Badge tone={STATUS_TONE[d.status]}>{d.status === "pending" && d.attempts > 0 ? "retrying" : d.status}</Badge>
            </Td>
            <Td numeric>{d.attempts}</Td>
            <Td wrap className="min-w-40 text-xs">
              {d.lastError ?? (d.deliveredAt ? <Time value={d.deliveredAt} /> : "queued")}
            </Td>
          </Tr>
        ))}
      </TBody>
    </Table>
  );
}
