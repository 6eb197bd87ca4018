import { useEffect } from 'react';
import { useInput, useTranslate, type InputProps } from 'react-admin';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { Box, Button, ButtonGroup, FormHelperText, FormLabel } from '@mui/material';

/**
 * An article's body as rich text (TipTap), kept in the form as HTML. The server sanitises the
 * HTML it stores whatever this editor sends; a refusal shows under the editor.
 */
export function RichTextInput(props: InputProps) {
  const translate = useTranslate();
  const { field, fieldState, isRequired } = useInput(props);
  const editor = useEditor({
    extensions: [StarterKit],
    content: (field.value as string) ?? '',
    onUpdate: ({ editor }) => field.onChange(editor.isEmpty ? '' : editor.getHTML()),
    onBlur: () => field.onBlur(),
  });
  // A record loaded after the editor started (an edit page) fills it once.
  useEffect(() => {
    if (editor && !editor.isFocused && field.value && editor.getHTML() !== field.value) {
      editor.commands.setContent(field.value as string, { emitUpdate: false });
    }
  }, [editor, field.value]);
  const label = translate(`resources.articles.fields.${props.source}`, { _: props.source });
  const error = fieldState.error?.message;
  const tool = (name: string, run: () => void, active: boolean) => (
    <Button variant={active ? 'contained' : 'outlined'} onClick={run} key={name}>
      {name}
    </Button>
  );
  return (
    <Box sx={{ width: '100%', my: 1 }} data-testid={`rich-${props.source}`}>
      <FormLabel error={!!error}>
        {label}
        {isRequired ? ' *' : ''}
      </FormLabel>
      {editor && (
        <ButtonGroup size="small" sx={{ display: 'block', my: 0.5 }}>
          {tool('B', () => editor.chain().focus().toggleBold().run(), editor.isActive('bold'))}
          {tool('I', () => editor.chain().focus().toggleItalic().run(), editor.isActive('italic'))}
          {tool(
            'H2',
            () => editor.chain().focus().toggleHeading({ level: 2 }).run(),
            editor.isActive('heading', { level: 2 }),
          )}
          {tool('• ', () => editor.chain().focus().toggleBulletList().run(), editor.isActive('bulletList'))}
          {tool('1.', () => editor.chain().focus().toggleOrderedList().run(), editor.isActive('orderedList'))}
        </ButtonGroup>
      )}
      <Box
        sx={{
          border: 1,
          borderColor: error ? 'error.main' : 'divider',
          borderRadius: 1,
          p: 1,
          minHeight: 160,
          '& .ProseMirror': { outline: 'none', minHeight: 140 },
        }}
      >
        <EditorContent editor={editor} />
      </Box>
      {error && <FormHelperText error>{translate(error, { _: error })}</FormHelperText>}
    </Box>
  );
}
