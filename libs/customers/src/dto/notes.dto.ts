import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { DOCUMENT_KINDS, type DocumentKind } from '#customers/domain';
import { OptionalId, Text } from '#http';

export class AddNoteDto {
  @OptionalId('Id of the note; derived from the command id when absent')
  noteId?: string;

  @Text(10_000, { multiline: true, description: 'The note', example: 'Prefers calls after 3 pm.' })
  text!: string;

  @OptionalId('The rep who wrote it', 'rep-17')
  authorRepId?: string;
}

/** A document's metadata and where it is stored; the file itself lives in document storage. */
export class AttachDocumentDto {
  @OptionalId('Id of the document; derived from the command id when absent')
  documentId?: string;

  @ApiProperty({ enum: DOCUMENT_KINDS, example: 'proposal' })
  @IsIn(DOCUMENT_KINDS)
  kind!: DocumentKind;

  @Text(255, { description: 'File name', example: 'proposal-2027.pdf' })
  fileName!: string;

  @ApiProperty({ example: 'application/pdf' })
  @Matches(/^[\w.+-]+\/[\w.+-]+$/, { message: 'contentType must be a media type such as application/pdf' })
  contentType!: string;

  @ApiProperty({ example: 482113, minimum: 0 })
  @IsInt()
  @Min(0)
  @Max(10 * 1024 ** 3)
  sizeBytes!: number;

  @Text(1024, { description: 'Where the file is stored', example: 's3://crm-documents/2026/11/proposal-2027.pdf' })
  storageRef!: string;

  @OptionalId('The contract it belongs to (a contract of this customer)', 'contract-7')
  contractId?: string;
}
