import { nextTick, ref } from 'vue'

export interface PageMessage {
  readonly kind: 'success' | 'info'
  readonly text: string
}

/**
 * A page's word about what just happened ("Saved.", "… was removed."): shown in
 * the NoticeMessage the page binds to `messageBox`, which takes focus, so a
 * screen reader reads it at once and keyboard focus is not lost when the button
 * that was pressed goes away. Set `message` to null before the next action.
 */
export function usePageMessage() {
  const message = ref<PageMessage | null>(null)
  const messageBox = ref<{ focus(): void } | null>(null)

  async function say(kind: PageMessage['kind'], text: string): Promise<void> {
    message.value = { kind, text }
    await nextTick()
    messageBox.value?.focus()
  }

  return { message, messageBox, say }
}
