// The template gallery of the new-project page. Each template is a plain
// Label Studio labeling configuration with Label Studio's tags and data keys
// ($text, $image), so configs copied from Label Studio and these work alike.

export interface Template {
  id: string;
  name: string;
  description: string;
  /** A note on the tasks' data for the hint under the editor, when the data keys alone do not say enough. */
  dataHint: string;
  config: string;
}

export const templates: readonly Template[] = [
  {
    id: "text-classification",
    name: "Text classification",
    description: "Sort each text into one of a few classes.",
    dataHint: "",
    config: `<View>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single" showInLine="true">
    <Choice value="Positive"/>
    <Choice value="Negative"/>
    <Choice value="Neutral"/>
  </Choices>
</View>`,
  },
  {
    id: "sentiment-analysis",
    name: "Sentiment analysis",
    description: "Say how the author feels, and how strongly.",
    dataHint: "",
    config: `<View>
  <Header value="What is the sentiment of this text?"/>
  <Text name="text" value="$text"/>
  <Choices name="sentiment" toName="text" choice="single-radio" showInLine="true">
    <Choice value="Positive" background="green"/>
    <Choice value="Negative" background="red"/>
    <Choice value="Neutral" background="gray"/>
    <Choice value="Mixed" background="orange"/>
  </Choices>
  <Header value="How strong is it?"/>
  <Rating name="intensity" toName="text" maxRating="5"/>
</View>`,
  },
  {
    id: "ner",
    name: "Named entity recognition",
    description: "Mark people, organizations and places in text.",
    dataHint: "",
    config: `<View>
  <Labels name="label" toName="text">
    <Label value="PER" background="red"/>
    <Label value="ORG" background="darkorange"/>
    <Label value="LOC" background="orange"/>
    <Label value="MISC" background="green"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>`,
  },
  {
    id: "image-classification",
    name: "Image classification",
    description: "Pick the class that best describes each image.",
    dataHint: "Images load from http(s) or data:image URLs.",
    config: `<View>
  <Image name="image" value="$image" zoom="true"/>
  <Choices name="class" toName="image" choice="single" showInLine="true">
    <Choice value="Cat"/>
    <Choice value="Dog"/>
    <Choice value="Other"/>
  </Choices>
</View>`,
  },
  {
    id: "object-detection",
    name: "Object detection (bounding boxes)",
    description: "Draw a box around every object of interest.",
    dataHint: "Images load from http(s) or data:image URLs.",
    config: `<View>
  <Image name="image" value="$image" zoom="true"/>
  <RectangleLabels name="label" toName="image">
    <Label value="Car" background="green"/>
    <Label value="Person" background="blue"/>
  </RectangleLabels>
</View>`,
  },
  {
    id: "polygon-segmentation",
    name: "Polygon segmentation",
    description: "Outline regions of an image point by point.",
    dataHint: "Images load from http(s) or data:image URLs.",
    config: `<View>
  <Image name="image" value="$image" zoom="true"/>
  <PolygonLabels name="label" toName="image" strokeWidth="2" opacity="0.5">
    <Label value="Building" background="orange"/>
    <Label value="Road" background="gray"/>
    <Label value="Vegetation" background="green"/>
  </PolygonLabels>
</View>`,
  },
  {
    id: "keypoints",
    name: "Keypoints",
    description: "Place landmark points, such as the parts of a face.",
    dataHint: "Images load from http(s) or data:image URLs.",
    config: `<View>
  <Image name="image" value="$image" zoom="true"/>
  <KeyPointLabels name="keypoint" toName="image">
    <Label value="Left eye" background="blue"/>
    <Label value="Right eye" background="red"/>
    <Label value="Nose" background="green"/>
  </KeyPointLabels>
</View>`,
  },
  {
    id: "transcription",
    name: "Transcription",
    description: "Type out the text an image shows.",
    dataHint: "Images load from http(s) or data:image URLs.",
    config: `<View>
  <Image name="image" value="$image" zoom="true"/>
  <Header value="Type the text you see in the image"/>
  <TextArea name="transcription" toName="image" rows="4" editable="true" maxSubmissions="1" placeholder="Transcription"/>
</View>`,
  },
  {
    id: "rating",
    name: "Rating",
    description: "Score each text on a scale of one to five stars.",
    dataHint: "",
    config: `<View>
  <Text name="text" value="$text"/>
  <Header value="How good is this text?"/>
  <Rating name="rating" toName="text" maxRating="5"/>
</View>`,
  },
  {
    id: "taxonomy",
    name: "Taxonomy",
    description: "File each text under one or more nested categories.",
    dataHint: "",
    config: `<View>
  <Text name="text" value="$text"/>
  <Taxonomy name="taxonomy" toName="text">
    <Choice value="Animal">
      <Choice value="Cat"/>
      <Choice value="Dog"/>
      <Choice value="Bird"/>
    </Choice>
    <Choice value="Plant">
      <Choice value="Tree"/>
      <Choice value="Flower"/>
    </Choice>
    <Choice value="Object"/>
  </Taxonomy>
</View>`,
  },
  {
    id: "custom",
    name: "Custom",
    description: "Start from an empty editor, or paste a Label Studio config.",
    dataHint: "",
    config: "",
  },
];
