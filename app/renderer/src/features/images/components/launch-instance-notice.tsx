import { Alert } from '../../../components/ui/alert'
import { Button } from '../../../components/ui/button'
import { CopyButton } from '../../../components/ui/copy-button'
import { Dialog } from '../../../components/ui/dialog'
import { shellQuote } from '../../../lib/openstack/cli-equivalent'
import type { Image } from '../../../lib/openstack/image'

/** "Launch instance" on a cloud whose catalog has no compute service: says so, and shows the command. */
export function LaunchInstanceNotice({ image, onClose }: { image: Image; onClose: () => void }) {
  const cli = `openstack server create --image ${shellQuote(image.id)} --flavor <flavor> --network <network> <name>`
  return (
    <Dialog
      title={`Launch an instance from ${image.name ?? image.id}`}
      size="sm"
      onClose={onClose}
      data-testid="launch-notice"
      footer={
        <Button variant="primary" onClick={onClose}>
          OK
        </Button>
      }
    >
      <Alert tone="info" title="This cloud offers no compute service">
        The token's catalog lists no compute endpoint (Nova), so instances cannot be launched from here. The image is ready for a cloud that has one.
      </Alert>
      <div className="launch-cli">
        <span className="muted small">With a full OpenStack, the CLI does it like this:</span>
        <span className="cli-line">
          <code>{`$ ${cli}`}</code>
          <CopyButton text={cli} label="Copy the command" />
        </span>
      </div>
    </Dialog>
  )
}
